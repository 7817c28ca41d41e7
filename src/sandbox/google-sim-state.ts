// In-memory state of the Cloud Support API v2 simulator: cases, comments, attachments,
// and the "person" operations (a customer or a Google engineer acting in the console).
// Wire JSON (camelCase, proto3 JSON: default values omitted) is produced here too.

export const SIM_PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export type SimPriority = (typeof SIM_PRIORITIES)[number];
export type SimState =
  'NEW' | 'IN_PROGRESS_GOOGLE_SUPPORT' | 'ACTION_REQUIRED' | 'SOLUTION_PROVIDED' | 'CLOSED';

/** Maximum comment body (characters), per the discovery document. */
export const MAX_COMMENT_CHARS = 12_800;
export const DEFAULT_GOOGLE_PARENT = 'organizations/123456789012';

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

/** An error the simulator answers with Google's envelope. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly grpcStatus: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

export const GRPC_STATUS_FOR_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const invalid = (message: string): SimHttpError =>
  new SimHttpError(400, 'INVALID_ARGUMENT', message);
export const notFound = (message: string): SimHttpError =>
  new SimHttpError(404, 'NOT_FOUND', message);

interface CommentRecord {
  seq: number;
  id: string;
  body: string;
  createTime: Date;
  creator: SimActor;
}

interface AttachmentRecord {
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

interface CaseRecord {
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
}

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

const CUSTOMER: SimActor = {
  displayName: 'Sandbox Customer',
  email: 'customer@sandbox.example',
  username: 'customer@sandbox.example',
  googleSupport: false,
};
const GOOGLE_ENGINEER = 'Google Support';
const DEFAULT_CLASSIFICATION_NAME = 'Technical Issue > Compute > Other';

const PARENT_RE = /^(organizations|projects)\/[^/]+$/;
const CASE_NAME_RE = /^((?:organizations|projects)\/[^/]+)\/cases\/([^/]+)$/;

export function isParent(value: string): boolean {
  return PARENT_RE.test(value);
}

export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export class GoogleSimState {
  private readonly cases = new Map<string, CaseRecord>();
  private nextCase: number;
  private nextSeq = 1;

  constructor(private readonly opts: SimStateOptions) {
    this.nextCase = opts.firstCaseNumber;
  }

  get caller(): SimActor {
    return this.opts.caller;
  }

  private nowMs(): number {
    return this.opts.now().getTime();
  }

  /** Case by full name (parent must match). Throws 404. */
  private record(name: string): CaseRecord {
    const m = CASE_NAME_RE.exec(name);
    const rec = m ? this.cases.get(m[2] ?? '') : undefined;
    if (!m || !rec || rec.parent !== m[1]) throw notFound('Requested entity was not found.');
    return rec;
  }

  recordByNumber(number: string): CaseRecord {
    const rec = this.cases.get(number);
    if (!rec) throw notFound('Requested entity was not found.');
    return rec;
  }

  nameOf(rec: CaseRecord): string {
    return `${rec.parent}/cases/${rec.number}`;
  }

  /** updateTime = max(now, last + 1 ms): strictly increasing on every write. */
  private touch(rec: CaseRecord): void {
    rec.updateTime = new Date(Math.max(this.nowMs(), rec.updateTime.getTime() + 1));
  }

  private itemTime(rec: CaseRecord): Date {
    const t = Math.max(this.nowMs(), rec.lastItemTime + 1);
    rec.lastItemTime = t;
    return new Date(t);
  }

  private classification(id: string): { id: string; displayName: string } {
    const known = this.opts.classifications;
    if (!known) return { id, displayName: DEFAULT_CLASSIFICATION_NAME };
    const c = known.find((k) => k.id === id);
    if (!c) throw invalid('Invalid classification id.');
    return { id: c.id, displayName: c.displayName };
  }

  private insertCase(
    parent: string,
    fields: Omit<
      CaseRecord,
      'number' | 'numeric' | 'parent' | 'lastItemTime' | 'comments' | 'attachments'
    >,
  ): CaseRecord {
    if (!isParent(parent)) throw invalid('Invalid parent.');
    const numeric = this.nextCase++;
    const rec: CaseRecord = {
      ...fields,
      number: String(numeric),
      numeric,
      parent,
      lastItemTime: fields.createTime.getTime(),
      comments: [],
      attachments: [],
    };
    this.cases.set(rec.number, rec);
    return rec;
  }

  // --- API operations (the caller is the connector's service account) ------------------

  apiCreate(parent: string, input: ApiCaseInput): CaseRecord {
    const now = this.opts.now();
    return this.insertCase(parent, {
      displayName: input.displayName,
      description: input.description,
      classification: this.classification(input.classificationId),
      priority: input.priority,
      state: 'NEW',
      testCase: input.testCase,
      escalated: false,
      timeZone: input.timeZone ?? 'UTC',
      languageCode: input.languageCode ?? 'en-US',
      contactEmail: input.contactEmail,
      subscriberEmailAddresses: input.subscriberEmailAddresses ?? [],
      creator: this.opts.caller,
      createTime: now,
      updateTime: now,
    });
  }

  get(name: string): CaseRecord {
    return this.record(name);
  }

  patch(
    name: string,
    fields: { priority?: SimPriority; displayName?: string; subscriberEmailAddresses?: string[] },
  ): CaseRecord {
    const rec = this.record(name);
    if (fields.priority !== undefined) rec.priority = fields.priority;
    if (fields.displayName !== undefined) rec.displayName = fields.displayName;
    if (fields.subscriberEmailAddresses !== undefined) {
      rec.subscriberEmailAddresses = [...fields.subscriberEmailAddresses];
    }
    this.touch(rec);
    return rec;
  }

  /** Closing a closed case is accepted and changes nothing (the API documents no error). */
  close(name: string): CaseRecord {
    const rec = this.record(name);
    if (rec.state !== 'CLOSED') {
      rec.state = 'CLOSED';
      this.touch(rec);
    }
    return rec;
  }

  /** Cases under `parent` (exact parent), ordered by case number. */
  casesUnder(parent: string): CaseRecord[] {
    return [...this.cases.values()]
      .filter((c) => c.parent === parent)
      .sort((a, b) => a.numeric - b.numeric);
  }

  addComment(
    name: string,
    body: string,
    creator: SimActor,
  ): { rec: CaseRecord; comment: CommentRecord } {
    const rec = this.record(name);
    if (body.trim() === '') throw invalid('Comment body is required.');
    if (charCount(body) > MAX_COMMENT_CHARS) {
      throw invalid(`Comment body must be at most ${MAX_COMMENT_CHARS} characters.`);
    }
    const seq = this.nextSeq++;
    const comment: CommentRecord = {
      seq,
      id: String(seq),
      body,
      createTime: this.itemTime(rec),
      creator,
    };
    rec.comments.push(comment);
    this.touch(rec);
    return { rec, comment };
  }

  addAttachment(
    name: string,
    file: { filename: string; mimeType: string; chunks: Buffer[]; sizeBytes: number },
    creator: SimActor,
  ): { rec: CaseRecord; attachment: AttachmentRecord } {
    const rec = this.record(name);
    if (file.filename === '') throw invalid('Attachment filename is required.');
    const seq = this.nextSeq++;
    const attachment: AttachmentRecord = {
      seq,
      id: `att${seq}`,
      filename: file.filename,
      mimeType: file.mimeType,
      sizeBytes: file.sizeBytes,
      createTime: this.itemTime(rec),
      creator,
      chunks: file.chunks,
    };
    rec.attachments.push(attachment);
    this.touch(rec);
    return { rec, attachment };
  }

  attachment(caseName: string, id: string): AttachmentRecord {
    const rec = this.record(caseName);
    const a = rec.attachments.find((x) => x.id === id);
    if (!a) throw notFound('Requested entity was not found.');
    return a;
  }

  // --- person operations (tests and the sandbox runner) -------------------------------

  personCreate(input: PersonCaseInput): SimCase {
    const createTime = input.createTime ?? this.opts.now();
    const rec = this.insertCase(input.parent ?? this.opts.defaultParent, {
      displayName: input.displayName,
      description: input.description,
      classification: this.classification(input.classificationId ?? 'sandbox-classification'),
      priority: input.priority ?? 'P3',
      state: 'NEW',
      testCase: input.testCase ?? false,
      escalated: false,
      timeZone: 'UTC',
      languageCode: 'en-US',
      subscriberEmailAddresses: [],
      creator: input.creatorDisplayName
        ? { ...CUSTOMER, displayName: input.creatorDisplayName }
        : CUSTOMER,
      createTime,
      updateTime: createTime,
    });
    return this.snapshot(rec);
  }

  personActor(googleSupport: boolean, displayName?: string): SimActor {
    if (googleSupport) return { displayName: displayName ?? GOOGLE_ENGINEER, googleSupport: true };
    return displayName ? { ...CUSTOMER, displayName } : CUSTOMER;
  }

  setPriority(name: string, priority: SimPriority): SimCase {
    return this.snapshot(this.patch(name, { priority }));
  }

  setState(name: string, state: SimState): SimCase {
    const rec = this.record(name);
    if (rec.state !== state) {
      rec.state = state;
      this.touch(rec);
    }
    return this.snapshot(rec);
  }

  has(name: string): boolean {
    try {
      this.record(name);
      return true;
    } catch {
      return false;
    }
  }

  list(): SimCase[] {
    return [...this.cases.values()]
      .sort((a, b) => a.numeric - b.numeric)
      .map((r) => this.snapshot(r));
  }

  snapshot(rec: CaseRecord): SimCase {
    return {
      name: this.nameOf(rec),
      number: rec.number,
      parent: rec.parent,
      displayName: rec.displayName,
      description: rec.description,
      classification: { ...rec.classification },
      priority: rec.priority,
      state: rec.state,
      testCase: rec.testCase,
      escalated: rec.escalated,
      timeZone: rec.timeZone,
      languageCode: rec.languageCode,
      ...(rec.contactEmail !== undefined ? { contactEmail: rec.contactEmail } : {}),
      subscriberEmailAddresses: [...rec.subscriberEmailAddresses],
      creator: rec.creator,
      createTime: new Date(rec.createTime),
      updateTime: new Date(rec.updateTime),
    };
  }

  detail(name: string): SimCaseDetail {
    const rec = this.record(name);
    const caseName = this.nameOf(rec);
    return {
      ...this.snapshot(rec),
      comments: rec.comments.map((c) => commentSnapshot(caseName, c)),
      attachments: rec.attachments.map((a) => attachmentSnapshot(caseName, a)),
    };
  }

  commentSnapshot(rec: CaseRecord, c: CommentRecord): SimComment {
    return commentSnapshot(this.nameOf(rec), c);
  }

  attachmentSnapshot(rec: CaseRecord, a: AttachmentRecord): SimAttachment {
    return attachmentSnapshot(this.nameOf(rec), a);
  }

  /** Metadata only: never joins the stored chunks. */
  attachmentMeta(rec: CaseRecord, a: AttachmentRecord): Omit<SimAttachment, 'content'> {
    return {
      name: `${this.nameOf(rec)}/attachments/${a.id}`,
      id: a.id,
      filename: a.filename,
      mimeType: a.mimeType,
      sizeBytes: a.sizeBytes,
      createTime: new Date(a.createTime),
      creator: a.creator,
    };
  }
}

function commentSnapshot(caseName: string, c: CommentRecord): SimComment {
  return {
    name: `${caseName}/comments/${c.id}`,
    id: c.id,
    body: c.body,
    createTime: new Date(c.createTime),
    creator: c.creator,
  };
}

function attachmentSnapshot(caseName: string, a: AttachmentRecord): SimAttachment {
  if (a.chunks.length > 1) a.chunks = [Buffer.concat(a.chunks, a.sizeBytes)];
  return {
    name: `${caseName}/attachments/${a.id}`,
    id: a.id,
    filename: a.filename,
    mimeType: a.mimeType,
    sizeBytes: a.sizeBytes,
    createTime: new Date(a.createTime),
    creator: a.creator,
    content: a.chunks[0] ?? Buffer.alloc(0),
  };
}

export type { CaseRecord, CommentRecord, AttachmentRecord };

// --- wire JSON (proto3 JSON mapping: false / empty values are omitted) -----------------

type Json = Record<string, unknown>;

export function actorJson(a: SimActor): Json {
  const out: Json = { displayName: a.displayName };
  if (a.email !== undefined) out.email = a.email;
  if (a.username !== undefined) out.username = a.username;
  if (a.googleSupport) out.googleSupport = true;
  return out;
}

export function caseJson(c: SimCase): Json {
  const out: Json = {
    name: c.name,
    displayName: c.displayName,
    description: c.description,
    classification: { id: c.classification.id, displayName: c.classification.displayName },
    timeZone: c.timeZone,
    state: c.state,
    createTime: c.createTime.toISOString(),
    updateTime: c.updateTime.toISOString(),
    creator: actorJson(c.creator),
    languageCode: c.languageCode,
    priority: c.priority,
  };
  if (c.subscriberEmailAddresses.length > 0)
    out.subscriberEmailAddresses = [...c.subscriberEmailAddresses];
  if (c.contactEmail !== undefined) out.contactEmail = c.contactEmail;
  if (c.escalated) out.escalated = true;
  if (c.testCase) out.testCase = true;
  return out;
}

export function commentJson(c: SimComment): Json {
  return {
    name: c.name,
    createTime: c.createTime.toISOString(),
    creator: actorJson(c.creator),
    body: c.body,
    plainTextBody: c.body,
  };
}

export function attachmentJson(a: Omit<SimAttachment, 'content'>): Json {
  return {
    name: a.name,
    createTime: a.createTime.toISOString(),
    creator: actorJson(a.creator),
    filename: a.filename,
    mimeType: a.mimeType,
    sizeBytes: String(a.sizeBytes),
  };
}
