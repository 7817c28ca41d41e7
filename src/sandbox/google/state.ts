// In-memory state of the Cloud Support API v2 simulator: cases, comments, attachments,
// and the "person" operations (a customer or a Google engineer acting in the console).
import { invalid, notFound } from './errors';
import {
  MAX_COMMENT_CHARS,
  type ApiCaseInput,
  type CaseEventType,
  type AttachmentRecord,
  type CaseRecord,
  type CommentRecord,
  type PersonCaseInput,
  type SimActor,
  type SimAttachment,
  type SimCase,
  type SimCaseDetail,
  type SimComment,
  type SimPriority,
  type SimState,
  type SimStateOptions,
} from './records';

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
  private touch(rec: CaseRecord, event: CaseEventType = 'CASE_UPDATED'): void {
    rec.updateTime = new Date(Math.max(this.nowMs(), rec.updateTime.getTime() + 1));
    this.opts.onCaseEvent?.(this.nameOf(rec), event);
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
    this.opts.onCaseEvent?.(this.nameOf(rec), 'CASE_CREATED');
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
    this.touch(rec, 'COMMENT_ADDED');
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
    this.touch(rec, 'ATTACHMENT_ADDED');
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
    return attachmentMetaOf(this.nameOf(rec), a);
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

function attachmentMetaOf(caseName: string, a: AttachmentRecord): Omit<SimAttachment, 'content'> {
  return {
    name: `${caseName}/attachments/${a.id}`,
    id: a.id,
    filename: a.filename,
    mimeType: a.mimeType,
    sizeBytes: a.sizeBytes,
    createTime: new Date(a.createTime),
    creator: a.creator,
  };
}

function attachmentSnapshot(caseName: string, a: AttachmentRecord): SimAttachment {
  if (a.chunks.length > 1) a.chunks = [Buffer.concat(a.chunks, a.sizeBytes)];
  return { ...attachmentMetaOf(caseName, a), content: a.chunks[0] ?? Buffer.alloc(0) };
}
