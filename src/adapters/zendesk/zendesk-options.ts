// The options of ZendeskCrm (what server.ts reads from ZENDESK_* settings), shared by the
// adapter and its diagnose checks.
import type { ZendeskPriorityMap } from '../../domain/zendesk-priority';
import type { Logger } from '../../ports/logger';
import type { ZendeskClientOptions } from './zendesk-client';

export interface ZendeskCrmOptions extends ZendeskClientOptions {
  /** Tag that opts a ticket in. Default `synchronizewithgooglecloudsupport`. */
  readonly syncTag?: string;
  /** Zendesk value for each Google level. Default P0=urgent,P1=high,P2=normal,P3=low,P4=low. */
  readonly priorities?: ZendeskPriorityMap;
  /** Group of the tickets created from Google cases (unset: the account default). */
  readonly groupId?: number;
  /** Page size of the export and of the comment pages (Zendesk: ≤ 100 comments). Default 100. */
  readonly pageSize?: number;
  /** Whether the first comment of a ticket created from Google is public. Default false. */
  readonly descriptionPublic?: boolean;
  /** The per-file upload limit. Default 50 MB (Zendesk's). */
  readonly uploadLimitBytes?: number;
  /** For the writes to closed tickets that are dropped (ids only). */
  readonly log?: Pick<Logger, 'warn'>;
}
