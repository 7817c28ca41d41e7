// The ServiceNow simulator's public interface: its options, the handle tests and the sandbox
// drive it through (the "person" API: what agents do on the instance, bypassing the REST
// API, its auth, ACLs and limits), and the plain snapshots it hands out.
import type { Exchange } from '../exchange';
import type { FaultRegistry } from '../faults';
import type { TaskTable } from './schema';

export type { TaskTable } from './schema';

export interface ServiceNowSimulatorOptions {
  port?: number;
  now?: () => Date;
  random?: () => number;
  /** The integration user (basic auth and the OAuth application's user). */
  userName?: string;
  password?: string;
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** Lifetime of OAuth access tokens on the simulator's clock (default 1800 s). */
  tokenTtlSeconds?: number;
  /** The custom checkbox on incident and case (default u_sync_google_cloud_support; null: none). */
  syncField?: string | null;
  /** com.glide.attachment.max_size in MB (default 1024, c_AttachmentAPI.md). */
  maxAttachmentMb?: number;
  /** The REST transaction quota on the simulator's clock (default 60 000 ms). */
  transactionQuotaMs?: number;
  /** Roles of the integration user (default itil and sn_customerservice_agent). */
  roles?: readonly string[];
  /** An inbound REST rate-limit rule for the integration user: requests per hour (unset: none). */
  rateLimitPerHour?: number;
  onExchange?: (ex: Exchange) => void;
}

export interface SnJournalSnapshot {
  sys_id: string;
  element: 'comments' | 'work_notes';
  value: string;
  sys_created_by: string;
  /** The author's name (sys_user.name). */
  authorName: string;
  sys_created_on: Date;
}

export interface SnAttachmentSnapshot {
  sys_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sys_created_by: string;
  sys_created_on: Date;
  content: Buffer;
}

export interface SnRecordSnapshot {
  table: TaskTable;
  sys_id: string;
  number: string;
  short_description: string;
  description: string;
  state: string;
  active: boolean;
  impact: string;
  urgency: string;
  priority: string;
  correlation_id: string;
  correlation_display: string;
  close_code: string;
  close_notes: string;
  assignment_group: string;
  /** Every field as stored (strings), for what the typed ones above leave out. */
  fields: Record<string, string>;
  sys_created_on: Date;
  sys_updated_on: Date;
}

export interface SnRecordDetail extends SnRecordSnapshot {
  /** Oldest first. */
  journal: SnJournalSnapshot[];
  /** Oldest first. */
  attachments: SnAttachmentSnapshot[];
}

export interface SnRecordInput {
  short_description: string;
  description?: string;
  /** Sets the sync checkbox (default true when the instance has one). */
  selected?: boolean;
  impact?: string;
  urgency?: string;
  /** Case only (incident priority is derived). */
  priority?: string;
  state?: string;
  correlation_id?: string;
  /** Who opens it (default "Alice Agent"). */
  authorName?: string;
  /** Any other field. */
  fields?: Record<string, string>;
}

export interface SnSimStats {
  requests: number;
  byRoute: Record<string, number>;
}

export interface ServiceNowSimulator {
  /** Instance origin, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly userName: string;
  readonly password: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  readonly syncField: string | null;
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  stats(): SnSimStats;
  createRecord(table: TaskTable, input: SnRecordInput): SnRecordSnapshot;
  addJournal(
    sysId: string,
    input: { body: string; element?: 'comments' | 'work_notes'; authorName?: string },
  ): SnJournalSnapshot;
  addAttachment(
    sysId: string,
    input: { filename: string; content: Buffer; contentType?: string; authorName?: string },
  ): SnAttachmentSnapshot;
  /** Sets fields as an agent on the form would (incident priority follows impact/urgency). */
  update(sysId: string, values: Record<string, string>, authorName?: string): SnRecordSnapshot;
  /** Resolves (state 6 with a close code and notes) or closes (incident 7, case 3). */
  resolve(sysId: string, o?: { closed?: boolean; authorName?: string }): void;
  /** Deletes the record (by sys_id or number): its API answers 404 from then on. */
  deleteRecord(sysIdOrNumber: string): void;
  /** Row ACL: the integration user no longer sees the record (nor its journal, files). */
  hideRecord(sysId: string, hidden?: boolean): void;
  setJournalReadable(readable: boolean): void;
  setPropertiesReadable(readable: boolean): void;
  setDictionaryReadable(readable: boolean): void;
  /** Removes a field from the dictionary (a custom field that was never created). */
  dropField(table: TaskTable, field: string): void;
  /** A business rule that aborts matching writes of the integration user with 403. */
  addBusinessRule(rule: {
    table?: TaskTable;
    on?: 'insert' | 'update' | 'both';
    field?: string;
    message: string;
  }): string;
  removeBusinessRule(id: string): void;
  grantRole(role: string): void;
  revokeRole(role: string): void;
  getRecord(sysId: string): SnRecordDetail | null;
  listRecords(table?: TaskTable): SnRecordSnapshot[];
  /** Whether the record matches an encoded query (as the instance evaluates it). */
  matchesQuery(sysId: string, query: string): boolean;
  close(): Promise<void>;
}
