// The options of ServiceNowCrm (what wiring.ts reads from SERVICENOW_* settings), shared by
// the adapter and its diagnose checks.
import type { ServiceNowPriorityMap, ServiceNowTable } from '../../domain/servicenow-priority';
import type { Logger } from '../../ports/logger';
import type { ServiceNowClientOptions } from './servicenow-client';

export interface ServiceNowCrmOptions extends Omit<ServiceNowClientOptions, 'onRefusal'> {
  /** incident or sn_customerservice_case. */
  readonly table: ServiceNowTable;
  /** Encoded query of the records that sync. Default active=true^u_sync_google_cloud_support=true. */
  readonly syncQuery?: string;
  /** Default: the table's SPEC §6.2 map. */
  readonly priorities?: ServiceNowPriorityMap;
  /** sys_id of the group for records created from Google cases (unset: none). */
  readonly assignmentGroup?: string;
  /** Rows per page (poll, journal, attachments). Default 100. */
  readonly pageSize?: number;
  /** The per-file limit; unset: com.glide.attachment.max_size where readable, else 1024 MB. */
  readonly uploadLimitBytes?: number;
  /** The REST transaction quota. Default 60 s. */
  readonly transactionQuotaMs?: number;
  /** Upload rate assumed against the quota. Default 8 MiB/s (a 480 MiB ceiling at 60 s). */
  readonly uploadBytesPerSecond?: number;
  /** Refusals (403 with ServiceNow's message), unreadable journals (ids only, never bodies). */
  readonly log?: Pick<Logger, 'warn' | 'error'>;
}
