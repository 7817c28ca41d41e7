// The simulator's state: users, tickets (with their comments and attachments), pending
// uploads and the clock. No HTTP here: the routes and the person API both write through it,
// so every change bumps `updated_at` the same way.
import type {
  ZendeskAttachmentSnapshot,
  ZendeskCommentSnapshot,
  ZendeskPriority,
  ZendeskStatus,
  ZendeskTicketSnapshot,
} from './types';

export const PRIORITIES: readonly ZendeskPriority[] = ['urgent', 'high', 'normal', 'low'];
export const STATUSES: readonly ZendeskStatus[] = [
  'new',
  'open',
  'pending',
  'hold',
  'solved',
  'closed',
];

export interface UserRecord {
  id: number;
  name: string;
  email: string | null;
  role: 'admin' | 'agent' | 'end-user';
  createdAt: Date;
}

export interface AttachmentRecord {
  id: number;
  fileName: string;
  contentType: string;
  size: number;
  /** The bytes as they arrived (chunks kept, never concatenated until a snapshot asks). */
  chunks: Buffer[];
  /** Path segment of `content_url` on the attachment host. */
  contentToken: string;
  createdAt: Date;
  /** The ticket whose comment holds it (null while it is a pending upload). */
  ticketId: number | null;
}

export interface CommentRecord {
  id: number;
  auditId: number;
  authorId: number;
  body: string;
  htmlBody: string;
  public: boolean;
  attachments: AttachmentRecord[];
  custom: Record<string, unknown> | undefined;
  via: string;
  createdAt: Date;
}

export interface TicketRecord {
  id: number;
  subject: string;
  status: ZendeskStatus;
  priority: ZendeskPriority | null;
  tags: string[];
  externalId: string | null;
  groupId: number | null;
  assigneeId: number | null;
  requesterId: number;
  submitterId: number;
  comments: CommentRecord[];
  createdAt: Date;
  updatedAt: Date;
  /** Deleted tickets answer 404 but stay in the export with status `deleted`. */
  deleted: boolean;
}

export interface UploadRecord {
  token: string;
  attachments: AttachmentRecord[];
  expiresAt: Date;
}

export interface NewComment {
  authorId: number;
  body: string;
  htmlBody?: string;
  public: boolean;
  attachments?: AttachmentRecord[];
  custom?: Record<string, unknown>;
  via?: string;
}

/** Zendesk docs, "About tags": tags are lowercased; whitespace separates tags. */
export function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    for (const part of t.toLowerCase().split(/\s+/)) {
      if (part !== '' && !out.includes(part)) out.push(part);
    }
  }
  return out;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Zendesk renders a plain body as paragraphs inside its comment div. */
export function htmlFromText(body: string): string {
  const paras = body
    .split(/\n{2,}/)
    .map((p) => `<p dir="auto">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return `<div class="zd-comment" dir="auto">${paras.join('')}</div>`;
}

export function textFromHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
}

/** A change to a ticket, for triggers (webhooks.ts): created, or updated by `actorId`. */
export interface ZdTicketChange {
  readonly ticket: TicketRecord;
  readonly created: boolean;
  readonly actorId: number;
}

export class ZendeskState {
  readonly apiUser: UserRecord;
  private readonly listeners: Array<(c: ZdTicketChange) => void> = [];
  private readonly users = new Map<number, UserRecord>();
  private readonly tickets = new Map<number, TicketRecord>();
  private readonly uploads = new Map<string, UploadRecord>();
  private readonly attachments = new Map<string, AttachmentRecord>();
  private nextTicket = 1;
  private nextUser = 1_000_000_001;
  private nextComment = 20_000_000_001;
  private nextAttachment = 30_000_000_001;
  private nextAudit = 40_000_000_001;

  constructor(
    readonly now: () => Date,
    apiUser: { name: string; email: string },
    private readonly token: () => string,
  ) {
    this.apiUser = this.addUser(apiUser.name, apiUser.email, 'admin');
  }

  private addUser(name: string, email: string | null, role: UserRecord['role']): UserRecord {
    const u: UserRecord = { id: this.nextUser++, name, email, role, createdAt: this.now() };
    this.users.set(u.id, u);
    return u;
  }

  user(id: number): UserRecord | undefined {
    return this.users.get(id);
  }

  /** The end user called `name` (created on first use); the API user when no name. */
  person(name: string | undefined): UserRecord {
    if (name === undefined) return this.apiUser;
    for (const u of this.users.values()) if (u.name === name) return u;
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '.');
    return this.addUser(name, `${slug}@customer.example`, 'end-user');
  }

  /** A live (not deleted) ticket. */
  find(id: number): TicketRecord | undefined {
    const t = this.tickets.get(id);
    return t && !t.deleted ? t : undefined;
  }

  get(id: number): TicketRecord {
    const t = this.find(id);
    if (!t) throw new Error(`no ticket ${id}`);
    return t;
  }

  /** Every ticket ever created, deleted ones included (the export lists those too). */
  allWithDeleted(): TicketRecord[] {
    return [...this.tickets.values()];
  }

  all(): TicketRecord[] {
    return this.allWithDeleted().filter((t) => !t.deleted);
  }

  createTicket(input: {
    subject: string;
    comment: NewComment;
    status?: ZendeskStatus;
    priority?: ZendeskPriority | null;
    tags?: readonly string[];
    externalId?: string | null;
    groupId?: number | null;
    assigneeId?: number | null;
    requesterId: number;
    custom?: Record<string, unknown>;
  }): TicketRecord {
    const now = this.now();
    const t: TicketRecord = {
      id: this.nextTicket++,
      subject: input.subject,
      status: input.status ?? (input.assigneeId != null ? 'open' : 'new'),
      priority: input.priority ?? null,
      tags: normaliseTags(input.tags ?? []),
      externalId: input.externalId ?? null,
      groupId: input.groupId ?? null,
      assigneeId: input.assigneeId ?? null,
      requesterId: input.requesterId,
      submitterId: input.comment.authorId,
      comments: [],
      createdAt: now,
      updatedAt: now,
      deleted: false,
    };
    this.tickets.set(t.id, t);
    this.addComment(t, input.comment, true);
    return t;
  }

  /** Calls `listener` after every ticket write (create, update, comment). */
  onChange(listener: (c: ZdTicketChange) => void): void {
    this.listeners.push(listener);
  }

  /** Marks the ticket changed now by `actorId` (default: the API user); every write goes through here. */
  touch(t: TicketRecord, actorId?: number, created = false): void {
    t.updatedAt = this.now();
    const c = { ticket: t, created, actorId: actorId ?? this.apiUser.id };
    for (const l of this.listeners) l(c);
  }

  addComment(t: TicketRecord, c: NewComment, creating = false): CommentRecord {
    const record: CommentRecord = {
      id: this.nextComment++,
      auditId: this.nextAudit++,
      authorId: c.authorId,
      body: c.body,
      htmlBody: c.htmlBody ?? htmlFromText(c.body),
      public: c.public,
      attachments: c.attachments ?? [],
      custom: c.custom,
      via: c.via ?? 'api',
      createdAt: this.now(),
    };
    for (const a of record.attachments) a.ticketId = t.id;
    t.comments.push(record);
    this.touch(t, record.authorId, creating);
    return record;
  }

  newAuditId(): number {
    return this.nextAudit++;
  }

  newAttachment(
    fileName: string,
    contentType: string,
    chunks: Buffer[],
    size: number,
  ): AttachmentRecord {
    const a: AttachmentRecord = {
      id: this.nextAttachment++,
      fileName,
      contentType,
      size,
      chunks,
      contentToken: this.token(),
      createdAt: this.now(),
      ticketId: null,
    };
    this.attachments.set(a.contentToken, a);
    return a;
  }

  /** Adds a file to an upload (a new one, or the live one named by `token`). */
  upload(attachment: AttachmentRecord, token: string | undefined, ttlMs: number): UploadRecord {
    const existing = token === undefined ? undefined : this.liveUpload(token);
    if (existing) {
      existing.attachments.push(attachment);
      return existing;
    }
    const u: UploadRecord = {
      token: this.token(),
      attachments: [attachment],
      expiresAt: new Date(this.now().getTime() + ttlMs),
    };
    this.uploads.set(u.token, u);
    return u;
  }

  liveUpload(token: string): UploadRecord | undefined {
    const u = this.uploads.get(token);
    if (!u) return undefined;
    if (u.expiresAt.getTime() <= this.now().getTime()) {
      this.uploads.delete(token);
      return undefined;
    }
    return u;
  }

  /** Consumes upload tokens; unknown or expired ones are skipped, as Zendesk ignores them. */
  redeemUploads(tokens: readonly string[]): AttachmentRecord[] {
    const out: AttachmentRecord[] = [];
    for (const token of tokens) {
      const u = this.liveUpload(token);
      if (!u) continue;
      this.uploads.delete(token);
      out.push(...u.attachments);
    }
    return out;
  }

  /** The attachment behind a content URL, while its ticket lives (or it is a pending upload). */
  content(contentToken: string): AttachmentRecord | undefined {
    const a = this.attachments.get(contentToken);
    if (!a) return undefined;
    if (a.ticketId !== null && this.find(a.ticketId) === undefined) return undefined;
    return a;
  }

  /** ShowAttachment's lookup by id: the same visibility as content(). */
  attachmentById(id: number): AttachmentRecord | undefined {
    for (const a of this.attachments.values()) if (a.id === id) return this.content(a.contentToken);
    return undefined;
  }

  deleteTicket(id: number): void {
    const t = this.get(id);
    t.deleted = true;
    this.touch(t);
  }

  ticketSnapshot(t: TicketRecord): ZendeskTicketSnapshot {
    const requester = this.user(t.requesterId) ?? this.apiUser;
    return {
      id: t.id,
      subject: t.subject,
      description: t.comments[0]?.body ?? '',
      status: t.status,
      priority: t.priority,
      tags: [...t.tags],
      external_id: t.externalId,
      group_id: t.groupId,
      assignee_id: t.assigneeId,
      requester: { id: requester.id, name: requester.name },
      created_at: new Date(t.createdAt),
      updated_at: new Date(t.updatedAt),
    };
  }

  commentSnapshot(c: CommentRecord): ZendeskCommentSnapshot {
    const author = this.user(c.authorId) ?? this.apiUser;
    return {
      id: c.id,
      body: c.body,
      html_body: c.htmlBody,
      public: c.public,
      author: { id: author.id, name: author.name },
      attachments: c.attachments.map(attachmentSnapshot),
      metadata: c.custom === undefined ? {} : { custom: structuredClone(c.custom) },
      created_at: new Date(c.createdAt),
    };
  }
}

function attachmentSnapshot(a: AttachmentRecord): ZendeskAttachmentSnapshot {
  return {
    id: a.id,
    file_name: a.fileName,
    size: a.size,
    content_type: a.contentType,
    content: Buffer.concat(a.chunks),
  };
}
