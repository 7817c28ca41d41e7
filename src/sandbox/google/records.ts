// The simulator's data: the public Sim* shapes (what tests and the programmatic API see),
// the mutable records the state keeps, and the inputs of its operations.

export const SIM_PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export type SimPriority = (typeof SIM_PRIORITIES)[number];
export type SimState =
  'NEW' | 'IN_PROGRESS_GOOGLE_SUPPORT' | 'ACTION_REQUIRED' | 'SOLUTION_PROVIDED' | 'CLOSED';

/** Maximum comment body (characters), per the discovery document. */
export const MAX_COMMENT_CHARS = 12_800;
export const DEFAULT_GOOGLE_PARENT = 'organizations/123456789012';
/** What caseClassifications:search lists when no `classifications` option is given. */
export const SANDBOX_CLASSIFICATIONS: readonly { id: string; displayName: string }[] = [
  {
    id: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPE',
    displayName: 'Technical Issue > Compute > Other',
  },
  { id: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPF', displayName: 'Billing > Other' },
];

export interface SimActor {
  readonly displayName: string;
  readonly email?: string;
  readonly username?: string;
  readonly googleSupport: boolean;
}

export interface SimCase {
  readonly name: string;
  /** Last segment of the name (unique across parents). */
  readonly number: string;
  readonly parent: string;
  readonly displayName: string;
  readonly description: string;
  readonly classification: { readonly id: string; readonly displayName: string };
  readonly priority: SimPriority;
  readonly state: SimState;
  readonly testCase: boolean;
  readonly escalated: boolean;
  readonly timeZone: string;
  readonly languageCode: string;
  readonly contactEmail?: string;
  readonly subscriberEmailAddresses: readonly string[];
  readonly creator: SimActor;
  readonly createTime: Date;
  readonly updateTime: Date;
}

export interface SimComment {
  readonly name: string;
  readonly id: string;
  readonly body: string;
  readonly createTime: Date;
  readonly creator: SimActor;
}

export interface SimAttachment {
  readonly name: string;
  readonly id: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly createTime: Date;
  readonly creator: SimActor;
  readonly content: Buffer;
}

export interface SimCaseDetail extends SimCase {
  /** Oldest first. */
  readonly comments: readonly SimComment[];
  /** Oldest first, with their bytes. */
  readonly attachments: readonly SimAttachment[];
}

export interface CommentRecord {
  seq: number;
  id: string;
  body: string;
  createTime: Date;
  creator: SimActor;
}

export interface AttachmentRecord {
  seq: number;
  id: string;
  filename: string;
  mimeType: string;
  sizeBytes: number;
  createTime: Date;
  creator: SimActor;
  /** Stored as received (no concatenation on upload); joined lazily for snapshots. */
  chunks: Buffer[];
}

export interface CaseRecord {
  number: string;
  numeric: number;
  parent: string;
  displayName: string;
  description: string;
  classification: { id: string; displayName: string };
  priority: SimPriority;
  state: SimState;
  testCase: boolean;
  escalated: boolean;
  timeZone: string;
  languageCode: string;
  contactEmail?: string;
  subscriberEmailAddresses: string[];
  creator: SimActor;
  createTime: Date;
  updateTime: Date;
  /** Last createTime handed to an item of this case (items get strictly increasing times). */
  lastItemTime: number;
  comments: CommentRecord[];
  attachments: AttachmentRecord[];
}

export interface SimStateOptions {
  now: () => Date;
  firstCaseNumber: number;
  defaultParent: string;
  caller: SimActor;
  classifications?: readonly { id: string; displayName: string }[];
  /** Called after every change of a case (pubsub-publisher.ts publishes them). */
  onCaseEvent?: (caseName: string, event: CaseEventType) => void;
}

/** What changed on a case (the simulator's names: Google's event payload is not public). */
export type CaseEventType = 'CASE_CREATED' | 'CASE_UPDATED' | 'COMMENT_ADDED' | 'ATTACHMENT_ADDED';

export interface PersonCaseInput {
  parent?: string;
  displayName: string;
  description: string;
  priority?: SimPriority;
  createTime?: Date;
  creatorDisplayName?: string;
  classificationId?: string;
  testCase?: boolean;
}

/** A file a person attaches: a Google engineer unless `googleSupport: false` (a customer). */
export interface PersonAttachmentInput {
  filename: string;
  mimeType?: string;
  content: Buffer;
  displayName?: string;
  googleSupport?: boolean;
}

export interface ApiCaseInput {
  displayName: string;
  description: string;
  classificationId: string;
  priority: SimPriority;
  testCase: boolean;
  timeZone?: string;
  languageCode?: string;
  contactEmail?: string;
  subscriberEmailAddresses?: string[];
}
