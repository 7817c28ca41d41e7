// An in-memory, honest Crm (Jira Service Management): it behaves like Jira behind the real
// JiraCrm would. Issue, comment and attachment ids increase; every write bumps the ticket's
// updateTime strictly; search is eventually consistent (a ticket shows up in search only
// `searchLagMs` after it was created or linked); get of a missing ticket is null, other
// calls throw NotFoundError; an upload over the site's limit is a TooLargeError; comments
// keep the connector's `mirrorOf` property and their visibility.
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../src/domain/errors';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  ItemAuthor,
  NewCrmTicket,
  Priority,
} from '../../src/domain/types';
import type { Clock } from '../../src/ports/clock';
import { checkOf, type Check } from '../../src/domain/checks';
import type { SyncSettings } from '../../src/domain/settings';
import type { Crm } from '../../src/ports/crm';
import type { Page } from '../../src/ports/support-cases';
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

export type CrmMethod = keyof Crm & string;

/** Jira's comment body limit (characters). */
export const JIRA_COMMENT_MAX_CHARS = 32767;

interface StoredAttachment {
  readonly meta: Attachment;
  readonly bytes: Buffer;
}

interface StoredTicket {
  readonly id: string;
  readonly key: string;
  summary: string;
  description: string;
  priority: Priority | null;
  closed: boolean;
  readonly createTime: Date;
  updateTime: Date;
  googleCaseName: string | null;
  /** When the Google case name became visible to search. */
  googleCaseIndexedAt: Date;
  readonly projectKey: string;
  /** Selected by the sync JQL (the label). */
  selected: boolean;
  readonly components: string[];
  readonly createdByConnector: boolean;
  /** Oldest first, as Jira lists them. */
  readonly comments: Comment[];
  readonly attachments: StoredAttachment[];
}

export interface TicketDetails extends CrmTicket {
  readonly selected: boolean;
  readonly components: readonly string[];
  readonly createdByConnector: boolean;
}

export interface FakeCrmOptions {
  readonly projectKey?: string;
  /** Search page size (Jira's enhanced search defaults to 50). */
  readonly pageSize?: number;
  /** How long a new ticket (or a new link) stays invisible to search. */
  readonly searchLagMs?: number;
  /** The site's attachment limit (default 10 MiB). */
  readonly uploadLimitBytes?: number;
  /** The connector's API user. */
  readonly connectorName?: string;
}

export class FakeCrm implements Crm {
  readonly faults = new Faults<CrmMethod>();
  readonly connector: ItemAuthor;
  readonly projectKey: string;
  searchLagMs: number;
  uploadLimit: number;
  private readonly tickets = new Map<string, StoredTicket>();
  private readonly pageSize: number;
  private nextIssue = 10001;
  private nextKey = 1;
  private nextComment = 20001;
  private nextAttachment = 30001;

  constructor(
    private readonly clock: Clock,
    opts: FakeCrmOptions = {},
  ) {
    this.projectKey = opts.projectKey ?? 'SUP';
    this.pageSize = opts.pageSize ?? 50;
    this.searchLagMs = opts.searchLagMs ?? 0;
    this.uploadLimit = opts.uploadLimitBytes ?? 10 * 1024 * 1024;
    this.connector = { displayName: opts.connectorName ?? 'Sync Bot', isConnector: true };
  }

  // --- the port ---------------------------------------------------------------------------

  searchUpdated(updatedAfter: Date, pageToken?: string): Promise<Page<CrmTicket>> {
    return this.faults.run('searchUpdated', [updatedAfter, pageToken], () => {
      const offset = pageToken === undefined ? 0 : decodeToken('j', pageToken, 'jira');
      const matching = [...this.tickets.values()]
        .filter(
          (t) => t.selected && this.indexed(t) && t.updateTime.getTime() >= updatedAfter.getTime(),
        )
        .sort(
          (a, b) => a.updateTime.getTime() - b.updateTime.getTime() || Number(a.id) - Number(b.id),
        );
      const items = matching.slice(offset, offset + this.pageSize).map(snapshot);
      const next = offset + items.length;
      return next < matching.length ? { items, nextPageToken: encodeToken('j', next) } : { items };
    });
  }

  get(ticketId: string): Promise<CrmTicket | null> {
    return this.faults.run('get', [ticketId], () => {
      const t = this.tickets.get(ticketId);
      return t ? snapshot(t) : null;
    });
  }

  findByGoogleCase(caseName: string): Promise<CrmTicket | null> {
    return this.faults.run('findByGoogleCase', [caseName], () => {
      const now = this.clock.now().getTime();
      const found = [...this.tickets.values()].find(
        (t) =>
          t.googleCaseName === caseName &&
          this.indexed(t) &&
          t.googleCaseIndexedAt.getTime() + this.searchLagMs <= now,
      );
      return found ? snapshot(found) : null;
    });
  }

  create(input: NewCrmTicket): Promise<CrmTicket> {
    return this.faults.run('create', [input], () => {
      if (input.summary.trim() === '') throw badRequest('summary is required', 'jira');
      if (/[\r\n]/.test(input.summary) || input.summary.length > 255)
        throw badRequest('invalid summary', 'jira');
      return snapshot(
        this.insertTicket({
          summary: input.summary,
          description: input.description,
          priority: input.priority,
          googleCaseName: input.googleCaseName,
          selected: true,
          components: ['Google Cloud'],
          createdByConnector: true,
        }),
      );
    });
  }

  linkGoogleCase(ticketId: string, caseName: string): Promise<void> {
    return this.faults.run('linkGoogleCase', [ticketId, caseName], () => {
      const t = this.mustGet(ticketId);
      t.googleCaseName = caseName;
      t.googleCaseIndexedAt = this.clock.now();
      this.touch(t);
    });
  }

  setPriority(ticketId: string, priority: Priority): Promise<void> {
    return this.faults.run('setPriority', [ticketId, priority], () => {
      const t = this.mustGet(ticketId);
      t.priority = priority;
      this.touch(t);
    });
  }

  close(ticketId: string): Promise<void> {
    return this.faults.run('close', [ticketId], () => {
      const t = this.mustGet(ticketId);
      // JiraCrm reads the status first and does nothing on a ticket already done.
      if (t.closed) return;
      t.closed = true;
      this.touch(t);
    });
  }

  listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    return this.faults.run('listComments', [ticketId, since], () => {
      return this.mustGet(ticketId)
        .comments.filter((c) => since === undefined || c.createTime.getTime() > since.getTime())
        .map(copyComment);
    });
  }

  addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    return this.faults.run('addComment', [ticketId, body, opts], () => {
      const t = this.mustGet(ticketId);
      if (body.trim() === '') throw badRequest('comment body is required', 'jira');
      if (body.length > JIRA_COMMENT_MAX_CHARS) throw badRequest('comment body too long', 'jira');
      return copyComment(
        this.insertComment(t, body, this.connector, opts.visibility === 'public', opts.mirrorOf),
      );
    });
  }

  listAttachments(ticketId: string): Promise<Attachment[]> {
    return this.faults.run('listAttachments', [ticketId], () => {
      return this.mustGet(ticketId).attachments.map((a) => copyAttachment(a.meta));
    });
  }

  download(ticketId: string, attachmentId: string): Promise<Readable> {
    return this.faults.run('download', [ticketId, attachmentId], () => {
      const a = this.mustGet(ticketId).attachments.find((x) => x.meta.id === attachmentId);
      if (!a) throw new NotFoundError('attachment not found', { source: 'jira' });
      return readableOf(a.bytes);
    });
  }

  upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    return this.faults.run('upload', [ticketId, file], async () => {
      const t = this.mustGet(ticketId);
      const bytes = await readUpload(file, this.uploadLimit, 'jira');
      return copyAttachment(
        this.insertAttachment(t, file.filename, file.mimeType, bytes, this.connector),
      );
    });
  }

  uploadLimitBytes(): Promise<number> {
    return this.faults.run('uploadLimitBytes', [], () => this.uploadLimit);
  }

  /** What the fake can vouch for: its API user, its project and its upload limit. */
  diagnose(settings: SyncSettings): Promise<Check[]> {
    return this.faults.run('diagnose', [settings], () => [
      checkOf('crm', 'crm.auth', 'auth').ok(`as ${this.connector.displayName}`),
      checkOf('crm', 'crm.project', 'project').ok(this.projectKey),
      checkOf('crm', 'crm.upload-limit', 'upload limit').ok(`${this.uploadLimit} bytes per file`),
    ]);
  }

  // --- fault switches ---------------------------------------------------------------------

  failNext(method: CrmMethod, error: Error, opts?: FaultOptions): void {
    this.faults.failNext(method, error, opts);
  }

  onNext(
    method: CrmMethod,
    action: (args: readonly unknown[]) => void | Promise<void>,
    opts?: HookOptions,
  ): void {
    this.faults.onNext(method, action, opts);
  }

  // --- people working in Jira (not the connector) -----------------------------------------

  readonly person = {
    /** An agent opens a ticket; `selected` (default true) is the sync label. */
    createTicket: (
      o: {
        summary?: string;
        description?: string;
        priority?: Priority | null;
        selected?: boolean;
        googleCaseName?: string | null;
        createTime?: Date;
      } = {},
    ): CrmTicket => {
      const t = this.insertTicket({
        summary: o.summary ?? 'Database latency spikes',
        description: o.description ?? 'Since the upgrade, p99 latency doubled.',
        priority: o.priority === undefined ? 2 : o.priority,
        googleCaseName: o.googleCaseName ?? null,
        selected: o.selected ?? true,
        components: [],
        createdByConnector: false,
        createTime: o.createTime,
      });
      return snapshot(t);
    },
    /** An agent comments: public (reply to customer, default) or internal. */
    addComment: (
      ticketId: string,
      body: string,
      o: { by?: string; isPublic?: boolean } = {},
    ): Comment => {
      const author: ItemAuthor = { displayName: o.by ?? 'Jira Agent', isConnector: false };
      return copyComment(
        this.insertComment(this.mustGet(ticketId), body, author, o.isPublic ?? true, undefined),
      );
    },
    addAttachment: (
      ticketId: string,
      o: { filename: string; content: Buffer | string; mimeType?: string; by?: string },
    ): Attachment => {
      const bytes = typeof o.content === 'string' ? Buffer.from(o.content) : o.content;
      const author: ItemAuthor = { displayName: o.by ?? 'Jira Agent', isConnector: false };
      return copyAttachment(
        this.insertAttachment(
          this.mustGet(ticketId),
          o.filename,
          o.mimeType ?? 'application/octet-stream',
          bytes,
          author,
        ),
      );
    },
    setPriority: (ticketId: string, priority: Priority | null): void => {
      const t = this.mustGet(ticketId);
      t.priority = priority;
      this.touch(t);
    },
    close: (ticketId: string): void => {
      const t = this.mustGet(ticketId);
      t.closed = true;
      this.touch(t);
    },
    /** Adds or removes the sync label. */
    select: (ticketId: string, selected: boolean): void => {
      const t = this.mustGet(ticketId);
      t.selected = selected;
      this.touch(t);
    },
    deleteTicket: (ticketId: string): void => {
      this.tickets.delete(ticketId);
    },
  };

  // --- inspection -------------------------------------------------------------------------

  /** Every ticket, in creation order. */
  allTickets(): TicketDetails[] {
    return [...this.tickets.values()].map(details);
  }

  ticket(ticketId: string): TicketDetails {
    return details(this.mustGet(ticketId));
  }

  /** Every comment, oldest first, with visibility (isPublic) and mirrorOf. */
  comments(ticketId: string): Comment[] {
    return this.mustGet(ticketId).comments.map(copyComment);
  }

  attachments(ticketId: string): Attachment[] {
    return this.mustGet(ticketId).attachments.map((a) => copyAttachment(a.meta));
  }

  bytes(ticketId: string, attachmentId: string): Buffer {
    const a = this.mustGet(ticketId).attachments.find((x) => x.meta.id === attachmentId);
    if (!a) throw new Error(`no attachment ${attachmentId}`);
    return Buffer.from(a.bytes);
  }

  // --- internals --------------------------------------------------------------------------

  private indexed(t: StoredTicket): boolean {
    return t.createTime.getTime() + this.searchLagMs <= this.clock.now().getTime();
  }

  private mustGet(ticketId: string): StoredTicket {
    const t = this.tickets.get(ticketId);
    if (!t) throw new NotFoundError('issue not found', { source: 'jira' });
    return t;
  }

  private touch(t: StoredTicket): void {
    t.updateTime = new Date(Math.max(this.clock.now().getTime(), t.updateTime.getTime() + 1));
  }

  private insertTicket(o: {
    summary: string;
    description: string;
    priority: Priority | null;
    googleCaseName: string | null;
    selected: boolean;
    components: string[];
    createdByConnector: boolean;
    createTime?: Date;
  }): StoredTicket {
    const createTime = o.createTime ?? this.clock.now();
    const t: StoredTicket = {
      id: String(this.nextIssue++),
      key: `${this.projectKey}-${this.nextKey++}`,
      summary: o.summary,
      description: o.description,
      priority: o.priority,
      closed: false,
      createTime,
      updateTime: createTime,
      googleCaseName: o.googleCaseName,
      googleCaseIndexedAt: createTime,
      projectKey: this.projectKey,
      selected: o.selected,
      components: o.components,
      createdByConnector: o.createdByConnector,
      comments: [],
      attachments: [],
    };
    this.tickets.set(t.id, t);
    return t;
  }

  private insertComment(
    t: StoredTicket,
    body: string,
    author: ItemAuthor,
    isPublic: boolean,
    mirrorOf: string | undefined,
  ): Comment {
    const comment: Comment = {
      id: String(this.nextComment++),
      author: { ...author },
      body,
      createTime: this.clock.now(),
      isPublic,
      ...(mirrorOf === undefined ? {} : { mirrorOf }),
    };
    t.comments.push(comment);
    this.touch(t);
    return comment;
  }

  private insertAttachment(
    t: StoredTicket,
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
    t.attachments.push({ meta, bytes });
    this.touch(t);
    return meta;
  }
}

function snapshot(t: StoredTicket): CrmTicket {
  return {
    id: t.id,
    key: t.key,
    summary: t.summary,
    description: t.description,
    priority: t.priority,
    closed: t.closed,
    createTime: new Date(t.createTime),
    updateTime: new Date(t.updateTime),
    googleCaseName: t.googleCaseName,
    projectKey: t.projectKey,
  };
}

function details(t: StoredTicket): TicketDetails {
  return {
    ...snapshot(t),
    selected: t.selected,
    components: [...t.components],
    createdByConnector: t.createdByConnector,
  };
}
