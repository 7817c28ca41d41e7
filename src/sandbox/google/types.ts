// The simulator's public surface: its options and the programmatic API tests drive.
import type { Exchange } from '../exchange';
import type { SimProjectQuota } from './project-quota';
import type { FaultRegistry } from '../faults';
import type { CaseEventPublishing, PublisherStats } from './pubsub-publisher';
import type {
  PersonAttachmentInput,
  PersonCaseInput,
  SimAttachment,
  SimCase,
  SimCaseDetail,
  SimComment,
  SimPriority,
  SimState,
} from './records';

export type ParentAccess = 'none' | 'view' | 'edit';

export interface GoogleSimulatorOptions {
  /** Listen port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** The bearer token every API request must carry. Default `sandbox-token`. */
  token?: string;
  now?: () => Date;
  /** Random source for `rate` faults (seedable in tests). Default Math.random. */
  random?: () => number;
  /** The API caller (the connector's service account). */
  callerDisplayName?: string;
  callerEmail?: string;
  /** First case number handed out. Default 50000001. */
  firstCaseNumber?: number;
  /** Parent used by createCase() when none is given. */
  defaultParent?: string;
  /**
   * The classifications caseClassifications:search lists; when set, cases.create accepts
   * only these ids. Default: a few sandbox classifications listed, any id accepted.
   */
  classifications?: readonly { id: string; displayName: string }[];
  /**
   * What the caller may do under each parent (IAM on the organization or project): `none`
   * answers 403 PERMISSION_DENIED to every case method there, `view` to the writes.
   * testIamPermissions reports the same. Parents not listed: `edit`.
   */
  parentAccess?: Readonly<Record<string, ParentAccess>>;
  /** When set, larger uploads answer 413. Default: no limit (none is documented). */
  maxUploadBytes?: number;
  /** Called for every API request answered (not for /_control, not for dropped ones). */
  onExchange?: (ex: Exchange) => void;
  /**
   * The project's request quota (project-quota.ts): over it, 429 RESOURCE_EXHAUSTED in
   * Google's envelope. Default 600 a minute (an assumption: the CSAPI's is not published);
   * false turns it off.
   */
  projectQuota?: SimProjectQuota | false;
  /**
   * Publish a message per case change to this Pub/Sub topic (pubsub-publisher.ts); the
   * topic is created at start, which fails, saying so, when the emulator does not answer.
   */
  publishCaseEvents?: CaseEventPublishing;
}

export interface SimStats {
  total: number;
  /** Keys are the API method ids: `cases.search`, `cases.get`, `media.upload`, … or `unknown`. */
  byRoute: Record<string, number>;
}

export interface GoogleSimulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` (the value for CLOUDSUPPORT_EMULATOR_HOST). */
  readonly host: string;
  readonly token: string;
  readonly faults: FaultRegistry;
  setDown(down: boolean): void;
  /** Replaces the project's request quota (false: off). */
  setProjectQuota(quota: SimProjectQuota | false): void;
  /** API requests refused so far by the project's quota. */
  quotaRejections(): number;
  stats(): SimStats;
  resetStats(): void;
  createCase(input: PersonCaseInput): SimCase;
  /** A comment by a person: a Google engineer unless `googleSupport: false` (a customer). */
  addComment(
    caseName: string,
    input: { body: string; displayName?: string; googleSupport?: boolean },
  ): SimComment;
  addAttachment(caseName: string, input: PersonAttachmentInput): SimAttachment;
  setPriority(caseName: string, priority: SimPriority): SimCase;
  /** Closes the case (idempotent). */
  closeCase(caseName: string): SimCase;
  setState(caseName: string, state: SimState): SimCase;
  /** Throws when the case does not exist. Comments and attachments oldest first. */
  getCase(caseName: string): SimCaseDetail;
  hasCase(caseName: string): boolean;
  listCases(): SimCase[];
  /** Case events published to Pub/Sub (with `publishCaseEvents`), else null. */
  caseEventStats(): PublisherStats | null;
  /** Resolves once every case event so far has been published (or has failed). */
  caseEventsIdle(): Promise<void>;
  close(): Promise<void>;
}
