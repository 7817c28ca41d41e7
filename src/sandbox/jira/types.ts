// The simulator's public shapes: its options, the handle `startJiraSimulator` returns, and
// the inputs of the programmatic "person" API.
import type { Exchange } from '../exchange';
import type { FaultRegistry } from '../faults';
import type { AttachmentSnapshot, CommentSnapshot, IssueSnapshot } from './snapshots';
import type { JiraSimCustomField, JiraSimProject, SimTransition } from './state-model';
import type { SimWriteWindow } from './write-limit';
import type { SimBurstLimit } from './burst-limit';
import type { DeliveryRecord } from './webhook-delivery';
import type { RegisteredJiraWebhook } from './webhooks';

export interface JiraSimulatorOptions {
  /** Listen port on 127.0.0.1 (0: any free port). */
  port?: number;
  /** The API user's email (basic auth user name). */
  email?: string;
  apiToken?: string;
  /** The API user's display name. */
  callerDisplayName?: string;
  /** Default: SUP (service desk, component "Google Cloud") and OPS (software). */
  projects?: JiraSimProject[];
  /** Site priorities, most urgent first. */
  priorities?: string[];
  issueTypes?: string[];
  /** Custom fields of the site (text fields). Default: customfield_10050 "Google Case". */
  customFields?: JiraSimCustomField[];
  /**
   * The workflow: transitions every issue may take (except into its own status), by
   * target status name (To Do, In Progress, Done, Won't Do). Default: one into each.
   */
  transitions?: readonly SimTransition[];
  now?: () => Date;
  random?: () => number;
  /** Writes younger than this may be missing or stale in /search/jql (never in GET /issue). */
  searchLagMs?: number;
  /** The site's attachment upload limit. Default 10 MiB (Jira Cloud's real default is larger). */
  uploadLimitBytes?: number;
  /**
   * Serve attachment media from a second listener (another origin, like Jira Cloud's media
   * host) that refuses requests carrying an Authorization header.
   */
  separateMediaHost?: boolean;
  onExchange?: (ex: Exchange) => void;
  /**
   * Jira Cloud's per-issue write limit: API writes to one issue (edit, transition, comment,
   * property, attachment) beyond any window answer 429 with Retry-After and
   * `RateLimit-Reason: jira-per-issue-on-write`, counted by the simulator's clock (`now`).
   * Default: the documented 20 per 2 s and 100 per 30 s; false (or []) turns it off.
   */
  perIssueWriteLimits?: readonly SimWriteWindow[] | false;
  /**
   * Jira Cloud's burst rate limit (burst-limit.ts): a token bucket for the tenant, on real
   * time, whose state every API answer reports in X-RateLimit-* headers; over it 429 with
   * Retry-After and `RateLimit-Reason: jira-burst-based`. Default 100 requests refilled at
   * 40/s (an assumption: Atlassian publishes no thresholds); false turns it off.
   */
  burstLimit?: SimBurstLimit | false;
  /** The API user may manage admin webhooks (Administer Jira). Default true; false: 403. */
  apiUserIsAdmin?: boolean;
  /** Delays before the admin webhooks' retries (webhooks.ts). Default 1, 2, 4, 8, 16 s. */
  webhookRetryDelaysMs?: readonly number[];
}

export interface SimStats {
  total: number;
  byRoute: Record<string, number>;
}

export interface PersonIssueInput {
  summary: string;
  /** Plain text, stored as ADF. */
  description?: string;
  labels?: string[];
  priority?: string;
  projectKey?: string;
  createdAt?: Date;
  reporterDisplayName?: string;
  issueType?: string;
  components?: string[];
  /** customfield_NNNNN → value. */
  custom?: Record<string, unknown>;
}

export interface PersonCommentInput {
  /** Plain text (converted to ADF). */
  body?: string;
  /** Raw ADF document (wins over body). */
  adf?: unknown;
  displayName?: string;
  /** JSM: false makes an internal comment. Default true. */
  public?: boolean;
}

export interface PersonAttachmentInput {
  filename: string;
  mimeType?: string;
  content: Buffer;
  displayName?: string;
}

export interface JiraSimulator {
  readonly url: string;
  /** Origin of the media host (equals `url` unless `separateMediaHost`). */
  readonly mediaUrl: string;
  readonly email: string;
  readonly apiToken: string;
  readonly apiUser: { accountId: string; displayName: string; emailAddress: string };
  readonly uploadLimitBytes: number;
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  /** Replaces the per-issue write windows (false or []: off). */
  setPerIssueWriteLimits(limits: readonly SimWriteWindow[] | false): void;
  /** API writes refused so far by the per-issue write limit. */
  perIssueWriteRejections(): number;
  /** Replaces the tenant's burst limit (false: off). */
  setBurstLimit(limit: SimBurstLimit | false): void;
  /** API requests refused so far by the burst limit. */
  burstRejections(): number;
  stats(): SimStats;
  resetStats(): void;
  createIssue(input: PersonIssueInput): IssueSnapshot;
  addComment(idOrKey: string, input: PersonCommentInput): CommentSnapshot;
  addAttachment(idOrKey: string, input: PersonAttachmentInput): AttachmentSnapshot;
  setPriority(idOrKey: string, name: string): void;
  transition(idOrKey: string, status: string): void;
  deleteIssue(idOrKey: string): void;
  moveIssue(idOrKey: string, projectKey: string): IssueSnapshot;
  setLabels(idOrKey: string, labels: string[]): void;
  /** Sets an issue property (as an app or admin would). */
  setIssueProperty(idOrKey: string, key: string, value: unknown): void;
  getIssue(idOrKey: string): IssueSnapshot | null;
  listIssues(): IssueSnapshot[];
  /** The admin webhooks registered (with their secrets, which the API never lists). */
  webhooks(): RegisteredJiraWebhook[];
  /** Every webhook delivery so far, with its attempts. */
  webhookDeliveries(): readonly DeliveryRecord[];
  /** Resolves once no webhook delivery is pending or in flight. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}
