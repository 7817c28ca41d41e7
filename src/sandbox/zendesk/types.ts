// The Zendesk simulator's public interface: its options, the handle tests and the sandbox
// drive it through (the "person" API: what agents and end users do in Zendesk, bypassing
// the REST API, its auth and its limits), and the plain snapshots it hands out.
import type { Exchange } from '../exchange';
import type { FaultRegistry } from '../faults';
import type { SimAccountRateLimit } from './account-limit';
import type { DeliveryRecord } from '../jira/webhook-delivery';
import type { ZdTrigger, ZdWebhook } from './webhooks';

export type ZendeskPriority = 'urgent' | 'high' | 'normal' | 'low';
export type ZendeskStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';

export interface ZendeskSimulatorOptions {
  port?: number;
  now?: () => Date;
  random?: () => number;
  oauthClientId?: string;
  oauthClientSecret?: string;
  /** Lifetime of OAuth access tokens on the simulator's clock (default 3600 s). */
  tokenTtlSeconds?: number;
  email?: string;
  apiToken?: string;
  /** Largest accepted upload (default 50 MB, Zendesk's per-file limit). */
  uploadLimitBytes?: number;
  /** Requests per minute on the incremental export (default 10; 0 = no limit). */
  exportRequestsPerMinute?: number;
  /** API updates accepted per ticket per window (default 30 per 10 minutes; false = off). */
  perTicketUpdateLimit?: false | { updates: number; perMs: number };
  /**
   * The account's requests per minute (account-limit.ts): X-Rate-Limit / ratelimit-* headers
   * on every API answer, 429 with Retry-After over it. Default the Enterprise plan (700 a
   * minute); `{ plan }` or `{ requestsPerMinute }` for another; false turns it off.
   */
  accountRateLimit?: SimAccountRateLimit | false;
  onExchange?: (ex: Exchange) => void;
  /** Delay before a webhook delivery is retried (webhooks.ts). Default 1 s. */
  webhookRetryDelayMs?: number;
}

export interface ZendeskPersonRef {
  id: number;
  name: string;
}

export interface ZendeskAttachmentSnapshot {
  id: number;
  file_name: string;
  size: number;
  content_type: string;
  content: Buffer;
}

export interface ZendeskCommentSnapshot {
  id: number;
  body: string;
  html_body: string;
  public: boolean;
  author: ZendeskPersonRef;
  attachments: ZendeskAttachmentSnapshot[];
  /** Audit metadata written with the comment (`metadata.custom` of the update), if any. */
  metadata: Record<string, unknown>;
  created_at: Date;
}

export interface ZendeskTicketSnapshot {
  id: number;
  subject: string;
  description: string;
  status: ZendeskStatus;
  priority: ZendeskPriority | null;
  tags: string[];
  external_id: string | null;
  group_id: number | null;
  assignee_id: number | null;
  requester: ZendeskPersonRef;
  created_at: Date;
  updated_at: Date;
}

export interface ZendeskTicketInput {
  subject: string;
  description: string;
  tags?: string[];
  priority?: ZendeskPriority | null;
  status?: string;
  requesterName?: string;
  externalId?: string;
}

export interface ZendeskCommentInput {
  body: string;
  public?: boolean;
  authorName?: string;
}

export interface ZendeskAttachmentInput {
  filename: string;
  content: Buffer;
  contentType?: string;
  public?: boolean;
  authorName?: string;
}

export interface ZendeskSimStats {
  requests: number;
  byRoute: Record<string, number>;
}

export interface ZendeskSimulator {
  /** API origin, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  /** Attachment host origin (a different port; refuses any Authorization header). */
  readonly contentUrl: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  readonly email: string;
  readonly apiToken: string;
  readonly apiUser: { id: number; name: string; email: string };
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  stats(): ZendeskSimStats;
  /** Requests the attachment host refused because they carried an Authorization header. */
  contentAuthRefusals(): number;
  /** Replaces the account's rate limit (false: off). */
  setAccountRateLimit(limit: SimAccountRateLimit | false): void;
  /** API requests refused so far by the account's rate limit. */
  accountRateLimitRejections(): number;
  createTicket(input: ZendeskTicketInput): ZendeskTicketSnapshot;
  addComment(ticketId: number, input: ZendeskCommentInput): ZendeskCommentSnapshot;
  addAttachment(ticketId: number, input: ZendeskAttachmentInput): ZendeskCommentSnapshot;
  setPriority(ticketId: number, p: ZendeskPriority | null): void;
  setStatus(ticketId: number, status: ZendeskStatus): void;
  setTags(ticketId: number, tags: string[]): void;
  deleteTicket(ticketId: number): void;
  getTicket(
    ticketId: number,
  ): (ZendeskTicketSnapshot & { comments: ZendeskCommentSnapshot[] }) | null;
  listTickets(): ZendeskTicketSnapshot[];
  /** The webhooks created (with their signing secrets) and the triggers. */
  webhooks(): ZdWebhook[];
  triggers(): ZdTrigger[];
  /** Every webhook invocation so far, with its attempts. */
  webhookDeliveries(): readonly DeliveryRecord[];
  /** Resolves once no trigger run or webhook delivery is pending. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}
