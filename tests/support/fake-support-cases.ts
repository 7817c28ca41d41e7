// An in-memory, honest SupportCases (Google Cloud Customer Care): it behaves like the
// Cloud Support API v2 behind the real adapter would. Ids increase, every write bumps the
// case's updateTime strictly, comments are kept newest-first (as CSAPI lists them) and the
// port returns them oldest-first after `since` filtering, a 404 is null for get and a
// NotFoundError elsewhere, a comment over 12,800 characters is a permanent 400. Search
// pages by case number with a cursor; closing a closed case succeeds and changes nothing;
// a closed case still takes a new priority (as the Cloud Support simulator does).
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../src/domain/errors';
import type {
  Attachment,
  Comment,
  ItemAuthor,
  NewSupportCase,
  Priority,
  SupportCase,
} from '../../src/domain/types';
import { checkOf, type Check } from '../../src/domain/checks';
import type { SyncSettings } from '../../src/domain/settings';
import type { Clock } from '../../src/ports/clock';
import type { Page, SupportCases } from '../../src/ports/support-cases';
import { Faults, type FaultOptions, type HookOptions } from './faults';
import { readableOf } from './streams';
import {
  badRequest,
  copyAttachment,
  copyComment,
  decodeToken,
  encodeToken,
  readUpload,
} from './fake-items';

export const GOOGLE_COMMENT_MAX_CHARS = 12800;

export type SupportCasesMethod = keyof SupportCases & string;

interface StoredAttachment {
  readonly meta: Attachment;
  readonly bytes: Buffer;
}

interface StoredCase {
  readonly name: string;
  /** The case number (the last segment of the name). */
  readonly number: number;
  readonly parent: string;
  displayName: string;
  description: string;
  priority: Priority | null;
  closed: boolean;
  readonly createTime: Date;
  updateTime: Date;
  readonly classificationId: string | null;
  readonly testCase: boolean;
  readonly createdByConnector: boolean;
  /** Newest first, as CSAPI's comments.list returns them. */
  readonly comments: Comment[];
  readonly attachments: StoredAttachment[];
}

/** What the tests can read back about a case beyond the port's SupportCase. */
export interface CaseDetails extends SupportCase {
  readonly parent: string;
  readonly classificationId: string | null;
  readonly testCase: boolean;
  readonly createdByConnector: boolean;
}

export interface FakeSupportCasesOptions {
  /** Search page size (CSAPI: at most 100). */
  readonly pageSize?: number;
  /** The connector's service account, as comments it writes show it. */
  readonly connectorName?: string;
  /** When set, uploads above it fail with TooLargeError. */
  readonly uploadLimitBytes?: number;
  /** First case number (default 1001). */
  readonly firstCaseNumber?: number;
}

const PARENT = /^(organizations|projects)\/[^/]+$/;
const CASE_NAME = /^(organizations|projects)\/[^/]+\/cases\/[^/]+$/;

export class FakeSupportCases implements SupportCases {
  readonly faults = new Faults<SupportCasesMethod>();
  readonly connector: ItemAuthor;
  private readonly cases = new Map<string, StoredCase>();
  private readonly pageSize: number;
  private readonly uploadLimit: number | undefined;
  private nextCase: number;
  private nextComment = 1;
  private nextAttachment = 1;

  constructor(
    private readonly clock: Clock,
    opts: FakeSupportCasesOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 100;
    this.uploadLimit = opts.uploadLimitBytes;
    this.nextCase = opts.firstCaseNumber ?? 1001;
    this.connector = {
      displayName: opts.connectorName ?? 'sync-connector@example.iam.gserviceaccount.com',
      isConnector: true,
      isGoogleSupport: false,
    };
  }

  // --- the port ---------------------------------------------------------------------------

  /** The fake's own rules: a well-formed parent, any non-empty classification id. */
  diagnose(settings: SyncSettings): Promise<Check[]> {
    return this.faults.run('diagnose', [settings], () => {
      const parent = checkOf('google', 'google.parent', 'SUPPORT_PARENT');
      const cls = checkOf('google', 'google.classification', 'classification');
      const test = checkOf('google', 'google.test-cases', 'test cases');
      return [
        checkOf('google', 'google.credentials', 'credentials').ok(this.connector.displayName),
        PARENT.test(settings.supportParent)
          ? parent.ok(settings.supportParent)
          : parent.fail(`${settings.supportParent} is not a parent`, 'set SUPPORT_PARENT'),
        settings.supportClassificationId === null
          ? cls.warn('SUPPORT_CLASSIFICATION_ID unset')
          : cls.ok(settings.supportClassificationId),
        settings.supportTestCases
          ? test.warn('SUPPORT_TEST_CASES=true', 'set SUPPORT_TEST_CASES=false for go-live')
          : test.ok('SUPPORT_TEST_CASES=false'),
      ];
    });
  }

  searchUpdated(
    parent: string,
    updatedAfter: Date,
    pageToken?: string,
  ): Promise<Page<SupportCase>> {
    return this.faults.run('searchUpdated', [parent, updatedAfter, pageToken], () => {
      if (!PARENT.test(parent)) throw badRequest('invalid parent', 'google');
      // By case number, as the Cloud Support simulator answers; the token is the last case
      // number read, so a case updated while a caller pages is neither lost nor repeated.
      const after = pageToken === undefined ? 0 : decodeToken('g', pageToken, 'google');
      const matching = [...this.cases.values()]
        .filter(
          (c) =>
            c.parent === parent &&
            c.updateTime.getTime() > updatedAfter.getTime() &&
            c.number > after,
        )
        .sort((a, b) => a.number - b.number);
      const page = matching.slice(0, this.pageSize);
      const last = page[page.length - 1];
      const items = page.map(snapshot);
      return last !== undefined && matching.length > page.length
        ? { items, nextPageToken: encodeToken('g', last.number) }
        : { items };
    });
  }

  get(caseName: string): Promise<SupportCase | null> {
    return this.faults.run('get', [caseName], () => {
      const c = this.cases.get(caseName);
      return c ? snapshot(c) : null;
    });
  }

  create(input: NewSupportCase): Promise<SupportCase> {
    return this.faults.run('create', [input], () => {
      if (!PARENT.test(input.parent)) throw badRequest('invalid parent', 'google');
      if (input.displayName.trim() === '') throw badRequest('displayName is required', 'google');
      if (input.description.trim() === '') throw badRequest('description is required', 'google');
      if (input.classificationId.trim() === '')
        throw badRequest('classification is required', 'google');
      return snapshot(
        this.insertCase({
          parent: input.parent,
          displayName: input.displayName,
          description: input.description,
          priority: input.priority,
          classificationId: input.classificationId,
          testCase: input.testCase,
          createdByConnector: true,
        }),
      );
    });
  }

  findByDescriptionPrefix(
    parent: string,
    prefix: string,
    since: Date,
  ): Promise<SupportCase | null> {
    return this.faults.run('findByDescriptionPrefix', [parent, prefix, since], () => {
      const found = [...this.cases.values()]
        .filter(
          (c) =>
            c.parent === parent &&
            c.updateTime.getTime() > since.getTime() &&
            c.description.startsWith(prefix),
        )
        // The first match in search order (by case number), as GoogleSupportCases finds it.
        .sort((a, b) => a.number - b.number)[0];
      return found ? snapshot(found) : null;
    });
  }

  setPriority(caseName: string, priority: Priority): Promise<void> {
    return this.faults.run('setPriority', [caseName, priority], () => {
      // Google accepts a priority change on a closed case (it stays closed).
      const c = this.mustGet(caseName);
      c.priority = priority;
      this.touch(c);
    });
  }

  close(caseName: string): Promise<void> {
    return this.faults.run('close', [caseName], () => {
      // Closing a closed case succeeds and changes nothing (not even updateTime).
      const c = this.mustGet(caseName);
      if (c.closed) return;
      c.closed = true;
      this.touch(c);
    });
  }

  listComments(caseName: string, since?: Date): Promise<Comment[]> {
    return this.faults.run('listComments', [caseName, since], () => {
      const c = this.mustGet(caseName);
      return [...c.comments]
        .reverse()
        .filter((m) => since === undefined || m.createTime.getTime() > since.getTime())
        .map(copyComment);
    });
  }

  addComment(caseName: string, body: string): Promise<Comment> {
    return this.faults.run('addComment', [caseName, body], () => {
      const c = this.mustGet(caseName);
      if (body.trim() === '') throw badRequest('comment body is required', 'google');
      if (body.length > GOOGLE_COMMENT_MAX_CHARS)
        throw badRequest('comment body exceeds 12800 characters', 'google');
      return copyComment(this.insertComment(c, body, this.connector));
    });
  }

  listAttachments(caseName: string): Promise<Attachment[]> {
    return this.faults.run('listAttachments', [caseName], () => {
      return this.mustGet(caseName).attachments.map((a) => copyAttachment(a.meta));
    });
  }

  download(caseName: string, attachmentId: string): Promise<Readable> {
    return this.faults.run('download', [caseName, attachmentId], () => {
      const a = this.mustGet(caseName).attachments.find((x) => x.meta.id === attachmentId);
      if (!a) throw new NotFoundError('attachment not found', { source: 'google' });
      return readableOf(a.bytes);
    });
  }

  upload(
    caseName: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    return this.faults.run('upload', [caseName, file], async () => {
      const c = this.mustGet(caseName);
      const bytes = await readUpload(file, this.uploadLimit ?? Infinity, 'google');
      return copyAttachment(
        this.insertAttachment(c, file.filename, file.mimeType, bytes, this.connector),
      );
    });
  }

  // --- fault switches ---------------------------------------------------------------------

  failNext(method: SupportCasesMethod, error: Error, opts?: FaultOptions): void {
    this.faults.failNext(method, error, opts);
  }

  onNext(
    method: SupportCasesMethod,
    action: (args: readonly unknown[]) => void | Promise<void>,
    opts?: HookOptions,
  ): void {
    this.faults.onNext(method, action, opts);
  }

  // --- people working in Google's console (not the connector) -----------------------------

  readonly person = {
    /** A customer opens a case in the console. */
    createCase: (
      o: {
        parent?: string;
        displayName?: string;
        description?: string;
        priority?: Priority | null;
        closed?: boolean;
        createTime?: Date;
      } = {},
    ): SupportCase => {
      const c = this.insertCase({
        parent: o.parent ?? 'organizations/1',
        displayName: o.displayName ?? 'VM does not boot',
        description: o.description ?? 'Our instance fails to start since this morning.',
        priority: o.priority === undefined ? 2 : o.priority,
        classificationId: null,
        testCase: false,
        createdByConnector: false,
        createTime: o.createTime,
      });
      if (o.closed) c.closed = true;
      return snapshot(c);
    },
    /** A Google support engineer (default) or a customer (`googleSupport: false`) comments. */
    addComment: (
      caseName: string,
      body: string,
      o: { by?: string; googleSupport?: boolean } = {},
    ): Comment => {
      const googleSupport = o.googleSupport ?? true;
      const author: ItemAuthor = {
        displayName: o.by ?? (googleSupport ? 'Google Support Engineer' : 'Cloud Customer'),
        isConnector: false,
        isGoogleSupport: googleSupport,
      };
      return copyComment(this.insertComment(this.mustGet(caseName), body, author));
    },
    addAttachment: (
      caseName: string,
      o: { filename: string; content: Buffer | string; mimeType?: string; by?: string },
    ): Attachment => {
      const bytes = typeof o.content === 'string' ? Buffer.from(o.content) : o.content;
      const author: ItemAuthor = {
        displayName: o.by ?? 'Cloud Customer',
        isConnector: false,
        isGoogleSupport: false,
      };
      return copyAttachment(
        this.insertAttachment(
          this.mustGet(caseName),
          o.filename,
          o.mimeType ?? 'application/octet-stream',
          bytes,
          author,
        ),
      );
    },
    /** Google may report a priority the connector does not know: `null`. */
    setPriority: (caseName: string, priority: Priority | null): void => {
      const c = this.mustGet(caseName);
      c.priority = priority;
      this.touch(c);
    },
    close: (caseName: string): void => {
      const c = this.mustGet(caseName);
      c.closed = true;
      this.touch(c);
    },
    /** The case disappears (moved out of reach, deleted): 404 from then on. */
    deleteCase: (caseName: string): void => {
      this.cases.delete(caseName);
    },
  };

  // --- inspection -------------------------------------------------------------------------

  /** Every case, in creation order. */
  allCases(): CaseDetails[] {
    return [...this.cases.values()].map(details);
  }

  caseOf(caseName: string): CaseDetails {
    return details(this.mustGet(caseName));
  }

  /** Every comment of the case, oldest first. */
  comments(caseName: string): Comment[] {
    return [...this.mustGet(caseName).comments].reverse().map(copyComment);
  }

  attachments(caseName: string): Attachment[] {
    return this.mustGet(caseName).attachments.map((a) => copyAttachment(a.meta));
  }

  bytes(caseName: string, attachmentId: string): Buffer {
    const a = this.mustGet(caseName).attachments.find((x) => x.meta.id === attachmentId);
    if (!a) throw new Error(`no attachment ${attachmentId}`);
    return Buffer.from(a.bytes);
  }

  // --- internals --------------------------------------------------------------------------

  private mustGet(caseName: string): StoredCase {
    if (!CASE_NAME.test(caseName)) throw badRequest('invalid case name', 'google');
    const c = this.cases.get(caseName);
    if (!c) throw new NotFoundError('case not found', { source: 'google' });
    return c;
  }

  /** Every write moves updateTime forward, strictly (even when the fake clock stands still). */
  private touch(c: StoredCase): void {
    c.updateTime = new Date(Math.max(this.clock.now().getTime(), c.updateTime.getTime() + 1));
  }

  private insertCase(o: {
    parent: string;
    displayName: string;
    description: string;
    priority: Priority | null;
    classificationId: string | null;
    testCase: boolean;
    createdByConnector: boolean;
    createTime?: Date;
  }): StoredCase {
    const createTime = o.createTime ?? this.clock.now();
    const number = this.nextCase++;
    const c: StoredCase = {
      name: `${o.parent}/cases/${number}`,
      number,
      parent: o.parent,
      displayName: o.displayName,
      description: o.description,
      priority: o.priority,
      closed: false,
      createTime,
      updateTime: createTime,
      classificationId: o.classificationId,
      testCase: o.testCase,
      createdByConnector: o.createdByConnector,
      comments: [],
      attachments: [],
    };
    this.cases.set(c.name, c);
    return c;
  }

  private insertComment(c: StoredCase, body: string, author: ItemAuthor): Comment {
    const comment: Comment = {
      id: String(this.nextComment++),
      author: { ...author },
      body,
      createTime: this.clock.now(),
      isPublic: true,
    };
    c.comments.unshift(comment);
    this.touch(c);
    return comment;
  }

  private insertAttachment(
    c: StoredCase,
    filename: string,
    mimeType: string,
    bytes: Buffer,
    author: ItemAuthor,
  ): Attachment {
    const meta: Attachment = {
      id: String(this.nextAttachment++),
      filename,
      mimeType,
      sizeBytes: bytes.length,
      createTime: this.clock.now(),
      author: { ...author },
    };
    c.attachments.push({ meta, bytes });
    this.touch(c);
    return meta;
  }
}

function snapshot(c: StoredCase): SupportCase {
  return {
    name: c.name,
    displayName: c.displayName,
    description: c.description,
    priority: c.priority,
    closed: c.closed,
    createTime: new Date(c.createTime),
    updateTime: new Date(c.updateTime),
  };
}

function details(c: StoredCase): CaseDetails {
  return {
    ...snapshot(c),
    parent: c.parent,
    classificationId: c.classificationId,
    testCase: c.testCase,
    createdByConnector: c.createdByConnector,
  };
}
