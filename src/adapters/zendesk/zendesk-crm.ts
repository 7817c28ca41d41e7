// The Crm port on Zendesk Support (REST API v2) over Node's fetch. Upstream JSON is checked
// against zendesk-schemas.ts and mapped by zendesk-mapping.ts; failures are classified by
// zendesk-errors.ts; requests are sent, authenticated and repeated by zendesk-client.ts;
// attachment bytes stream through zendesk-attachments.ts: raw Zendesk shapes stay here.
//
// Retries (SPEC §4, §6.1): 429 (and 503 with Retry-After) after Retry-After for every
// request; other 5xx and network errors only for idempotent ones (reads, PUTs that set a
// value, close); never for what creates (ticket, comment, upload). Tag and status changes
// are safe updates (`safe_update` + `updated_stamp`): a 409 re-reads the ticket and retries.
// Closed tickets are read-only: a write to one is logged and raised as a permanent
// SyncError (the task drops it; the queue does not retry it). A comment is one PUT, with no
// read before it (the PUT's own 422 says the ticket is closed) nor after it (the PUT's audit
// holds the comment written).
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { ReadOnlyTargetError, SyncError, TooLargeError } from '../../domain/errors';
import type { Check } from '../../domain/checks';
import { DEFAULT_ZENDESK_SYNC_TAG, type SyncSettings } from '../../domain/settings';
import type {
  Attachment,
  Comment,
  CommentVisibility,
  CrmTicket,
  NewCrmTicket,
  Priority,
} from '../../domain/types';
import { DEFAULT_ZENDESK_PRIORITIES, type ZendeskPriorityMap } from '../../domain/zendesk-priority';
import type { Crm } from '../../ports/crm';
import type { Page } from '../../ports/support-cases';
import { downloadFile, uploadFile, ZENDESK_UPLOAD_LIMIT_BYTES } from './zendesk-attachments';
import { ZendeskClient } from './zendesk-client';
import { diagnoseZendesk } from './zendesk-diagnose';
import { closedTicketError, ZENDESK_SOURCE as SOURCE } from './zendesk-errors';
import {
  googleCaseTag,
  isClosedStatus,
  isSelected,
  limitText,
  MIRROR_METADATA,
  subjectOf,
  toAttachment,
  toComment,
  toTicket,
  withLevelTag,
  type People,
} from './zendesk-mapping';
import type { ZendeskCrmOptions } from './zendesk-options';
import {
  auditCommentEventSchema,
  commentsSchema,
  exportSchema,
  ticketResponseSchema,
  ticketsSchema,
  type ZendeskComment,
  type ZendeskTicket,
} from './zendesk-schemas';

export type { ZendeskCrmOptions } from './zendesk-options';

/** The text of the comment that carries an uploaded file. */
export const FILE_ATTACHED_TEXT = '[file attached]';
const SAFE_UPDATE_ATTEMPTS = 4;
/** The export gives nothing for the most recent minute; its start must be older. */
const EXPORT_MIN_AGE_S = 60;

export class ZendeskCrm implements Crm {
  private readonly zd: ZendeskClient;
  private readonly syncTag: string;
  private readonly map: ZendeskPriorityMap;
  private readonly pageSize: number;

  constructor(private readonly opts: ZendeskCrmOptions) {
    this.zd = new ZendeskClient(opts);
    this.syncTag = (opts.syncTag ?? DEFAULT_ZENDESK_SYNC_TAG).toLowerCase();
    this.map = opts.priorities ?? DEFAULT_ZENDESK_PRIORITIES;
    this.pageSize = Math.max(1, Math.min(100, opts.pageSize ?? 100));
  }

  // --- reads -----------------------------------------------------------------------------

  async searchUpdated(updatedAfter: Date, pageToken?: string): Promise<Page<CrmTicket>> {
    const startTime = Math.max(
      0,
      Math.min(
        Math.floor(updatedAfter.getTime() / 1000),
        Math.floor(this.zd.now() / 1000) - EXPORT_MIN_AGE_S,
      ),
    );
    const page = await this.zd.call(
      'GET incremental/tickets/cursor',
      'GET',
      '/api/v2/incremental/tickets/cursor',
      exportSchema,
      {
        query: {
          ...(pageToken !== undefined ? { cursor: pageToken } : { start_time: startTime }),
          per_page: this.pageSize,
        },
      },
    );
    const next = page.end_of_stream ? undefined : (page.after_cursor ?? undefined);
    return {
      items: page.tickets
        .filter((t) => isSelected(t, this.syncTag))
        .filter((t) => t.updated_at.getTime() >= updatedAfter.getTime())
        .map((t) => toTicket(t, this.map)),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  private fetchTicket(ticketId: string): Promise<ZendeskTicket> {
    if (!/^\d+$/.test(ticketId)) {
      throw new SyncError('permanent', 'Invalid Zendesk ticket id', { source: SOURCE });
    }
    return this.zd
      .call('GET ticket', 'GET', `/api/v2/tickets/${ticketId}`, ticketResponseSchema)
      .then((r) => r.ticket);
  }

  async get(ticketId: string): Promise<CrmTicket | null> {
    try {
      return toTicket(await this.fetchTicket(ticketId), this.map);
    } catch (e) {
      if (e instanceof SyncError && e.status === 404) return null;
      throw e;
    }
  }

  async findByGoogleCase(caseName: string): Promise<CrmTicket | null> {
    const { tickets } = await this.zd.call('GET tickets', 'GET', '/api/v2/tickets', ticketsSchema, {
      query: { external_id: caseName },
    });
    const match = tickets
      .filter((t) => t.external_id === caseName && t.status !== 'deleted')
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id - b.id)[0];
    return match === undefined ? null : toTicket(match, this.map);
  }

  // --- writes ----------------------------------------------------------------------------

  async create(input: NewCrmTicket): Promise<CrmTicket> {
    const tags = withLevelTag([this.syncTag, googleCaseTag(input.googleCaseName)], input.priority);
    const r = await this.zd.call('POST ticket', 'POST', '/api/v2/tickets', ticketResponseSchema, {
      repeat: 'refusals',
      body: {
        ticket: {
          subject: subjectOf(input.summary),
          comment: {
            body: limitText(input.description),
            public: this.opts.descriptionPublic ?? false,
          },
          priority: this.map.toZendesk[input.priority],
          tags,
          external_id: input.googleCaseName,
          ...(this.opts.groupId !== undefined ? { group_id: this.opts.groupId } : {}),
          metadata: { [MIRROR_METADATA]: { mirrorOf: 'description' } },
        },
      },
    });
    return toTicket(r.ticket, this.map);
  }

  async linkGoogleCase(ticketId: string, caseName: string): Promise<void> {
    await this.safeUpdate('link', ticketId, () => ({ external_id: caseName }));
  }

  async setPriority(ticketId: string, priority: Priority): Promise<void> {
    await this.safeUpdate('priority', ticketId, (t) => ({
      priority: this.map.toZendesk[priority],
      tags: withLevelTag(t.tags ?? [], priority),
    }));
  }

  async close(ticketId: string): Promise<void> {
    await this.safeUpdate('close', ticketId, () => ({ status: 'solved' }), true);
  }

  /**
   * Reads the ticket, then PUTs `change(ticket)` as a safe update; a 409 (someone changed
   * it meanwhile) reads again and retries. `closing`: a ticket already solved or closed is
   * left as it is. A closed ticket refuses every other write (logged, permanent).
   */
  private async safeUpdate(
    what: string,
    ticketId: string,
    change: (t: ZendeskTicket) => Record<string, unknown>,
    closing = false,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const t = await this.fetchTicket(ticketId);
      if (closing && isClosedStatus(t.status)) return;
      if (t.status === 'closed') throw this.droppedOnClosed(what, ticketId);
      try {
        await this.zd.call(
          'PUT ticket',
          'PUT',
          `/api/v2/tickets/${ticketId}`,
          ticketResponseSchema,
          {
            body: {
              ticket: {
                ...change(t),
                safe_update: true,
                updated_stamp: t.updated_at.toISOString(),
              },
            },
          },
        );
        return;
      } catch (e) {
        if (e instanceof SyncError && e.kind === 'conflict' && attempt < SAFE_UPDATE_ATTEMPTS)
          continue;
        // Closed between the read and the PUT: refused like any write to a closed ticket.
        throw e instanceof ReadOnlyTargetError ? this.droppedOnClosed(what, ticketId) : e;
      }
    }
  }

  private droppedOnClosed(what: string, ticketId: string): SyncError {
    this.opts.log?.warn({ ticketId, write: what }, 'zendesk ticket closed: write dropped');
    return closedTicketError(what);
  }

  // --- comments --------------------------------------------------------------------------

  /** Every comment of the ticket, oldest first (the description first), and its people. */
  private async allComments(
    ticketId: string,
  ): Promise<{ comments: ZendeskComment[]; people: People }> {
    if (!/^\d+$/.test(ticketId)) {
      throw new SyncError('permanent', 'Invalid Zendesk ticket id', { source: SOURCE });
    }
    const me = await this.zd.connector();
    const names = new Map<number, string>([[me.id, me.name]]);
    const comments: ZendeskComment[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.zd.call(
        'GET comments',
        'GET',
        `/api/v2/tickets/${ticketId}/comments`,
        commentsSchema,
        {
          query: {
            'page[size]': this.pageSize,
            ...(cursor !== undefined ? { 'page[after]': cursor } : {}),
            sort: 'created_at',
            include: 'users',
          },
        },
      );
      comments.push(...page.comments);
      for (const u of page.users ?? []) if (u.name) names.set(u.id, u.name);
      const next = page.meta?.after_cursor ?? undefined;
      if (page.meta?.has_more !== true || next === undefined || page.comments.length === 0) break;
      cursor = next;
    }
    comments.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id - b.id);
    return { comments, people: { meId: me.id, names } };
  }

  async listComments(ticketId: string, since?: Date): Promise<Comment[]> {
    const { comments, people } = await this.allComments(ticketId);
    // The first comment is the ticket's description, not a comment of the port; a comment
    // with no text that only carries files is mirrored by its attachments (listAttachments),
    // not as an empty comment.
    return comments
      .slice(1)
      .filter((c) => !isAttachmentCarrier(c))
      .filter((c) => since === undefined || c.created_at.getTime() > since.getTime())
      .map((c) => toComment(c, people));
  }

  async addComment(
    ticketId: string,
    body: string,
    opts: { visibility: CommentVisibility; mirrorOf?: string },
  ): Promise<Comment> {
    const c = await this.writeComment('comment', ticketId, {
      body: limitText(body),
      public: opts.visibility === 'public',
      mirrorOf: opts.mirrorOf,
    });
    const me = await this.zd.connector();
    return toComment(c, { meId: me.id, names: new Map([[me.id, me.name]]) });
  }

  /**
   * One PUT that adds the comment and its audit metadata (never repeated after a transient
   * failure: it may have been written). No read before it: a closed ticket refuses the PUT
   * itself (422, logged and dropped). Returns the comment as Zendesk stored it: the audit's
   * Comment event and created_at, or, when the audit lacks them, the comments read again.
   */
  private async writeComment(
    what: string,
    ticketId: string,
    c: { body: string; public: boolean; mirrorOf?: string; uploads?: string[] },
  ): Promise<ZendeskComment> {
    if (!/^\d+$/.test(ticketId)) {
      throw new SyncError('permanent', 'Invalid Zendesk ticket id', { source: SOURCE });
    }
    const r = await this.zd
      .call('PUT ticket', 'PUT', `/api/v2/tickets/${ticketId}`, ticketResponseSchema, {
        repeat: 'refusals',
        body: {
          ticket: {
            comment: {
              body: c.body,
              public: c.public,
              ...(c.uploads ? { uploads: c.uploads } : {}),
            },
            metadata: {
              [MIRROR_METADATA]: {
                ...(c.mirrorOf !== undefined ? { mirrorOf: c.mirrorOf } : {}),
                connector: true,
              },
            },
          },
        },
      })
      .catch((e: unknown) => {
        throw e instanceof ReadOnlyTargetError ? this.droppedOnClosed(what, ticketId) : e;
      });
    const found =
      writtenFromAudit(r.audit, c.uploads !== undefined) ??
      (await this.readWritten(ticketId, r.audit));
    return c.mirrorOf !== undefined
      ? { ...found, metadata: { custom: { [MIRROR_METADATA]: { mirrorOf: c.mirrorOf } } } }
      : found;
  }

  /** The comment just written, read back: the audit event's id, else the connector's last. */
  private async readWritten(ticketId: string, audit: TicketAudit): Promise<ZendeskComment> {
    const eventId = audit?.events?.find((e) => e.type === 'Comment' && e.id !== undefined)?.id;
    const { comments, people } = await this.allComments(ticketId);
    const mine = comments.filter((x) => x.author_id === people.meId);
    const found =
      (eventId !== undefined ? comments.find((x) => x.id === eventId) : undefined) ??
      mine[mine.length - 1];
    if (found === undefined) {
      throw new SyncError('retry', 'Zendesk comment not readable right after it was written', {
        source: SOURCE,
      });
    }
    return found;
  }

  // --- attachments -----------------------------------------------------------------------

  async listAttachments(ticketId: string): Promise<Attachment[]> {
    const { comments, people } = await this.allComments(ticketId);
    return comments
      .flatMap((c) => (c.attachments ?? []).map((a) => toAttachment(a, c, people)))
      .sort(
        (a, b) => a.createTime.getTime() - b.createTime.getTime() || Number(a.id) - Number(b.id),
      );
  }

  download(_ticketId: string, attachmentId: string): Promise<Readable> {
    return downloadFile(this.zd, attachmentId);
  }

  async upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    const ignoreUntilPiped = (): void => undefined;
    file.content.on('error', ignoreUntilPiped);
    const limit = ZENDESK_UPLOAD_LIMIT_BYTES;
    try {
      const effective = await this.uploadLimitBytes();
      if (file.sizeBytes > effective) {
        throw new TooLargeError('Attachment exceeds the Zendesk upload limit', {
          limitBytes: effective,
          source: SOURCE,
        });
      }
      const t = await this.fetchTicket(ticketId);
      if (t.status === 'closed') throw this.droppedOnClosed('upload', ticketId);
      const up = await uploadFile(this.zd, file, Math.min(limit, effective));
      // The comment that consumes the token, in the same flow (tokens expire in 60 min).
      const c = await this.writeComment('upload', ticketId, {
        body: FILE_ATTACHED_TEXT,
        public: false,
        uploads: [up.token],
      });
      const me = await this.zd.connector();
      const people = { meId: me.id, names: new Map([[me.id, me.name]]) };
      const stored = (c.attachments ?? []).find((a) => a.id === up.attachment.id) ?? up.attachment;
      return toAttachment(stored, c, people);
    } catch (e) {
      file.content.destroy();
      throw e;
    } finally {
      file.content.off('error', ignoreUntilPiped);
    }
  }

  uploadLimitBytes(): Promise<number> {
    return Promise.resolve(this.opts.uploadLimitBytes ?? ZENDESK_UPLOAD_LIMIT_BYTES);
  }

  diagnose(settings: SyncSettings): Promise<Check[]> {
    return diagnoseZendesk(this.zd, { syncTag: this.syncTag, map: this.map }, settings);
  }
}

type TicketAudit = z.infer<typeof ticketResponseSchema>['audit'];

/**
 * The comment an update wrote, from its audit: the Comment event (id, author, body, public,
 * attachments) and the audit's created_at; undefined when the audit lacks any of them (or,
 * `withFiles`, the event's attachments).
 */
function writtenFromAudit(audit: TicketAudit, withFiles: boolean): ZendeskComment | undefined {
  const createdAt = audit?.created_at;
  if (createdAt === undefined) return undefined;
  const events = (audit?.events ?? []).filter((e) => e.type === 'Comment');
  if (events.length !== 1) return undefined;
  const ev = auditCommentEventSchema.safeParse(events[0]);
  if (!ev.success || typeof ev.data.body !== 'string') return undefined;
  if (withFiles && !Array.isArray(ev.data.attachments)) return undefined;
  return {
    id: ev.data.id,
    author_id: ev.data.author_id,
    body: ev.data.body,
    public: ev.data.public,
    created_at: createdAt,
    attachments: ev.data.attachments ?? [],
  };
}

/** A comment with no text that carries files (Zendesk's "attach a file" without a reply). */
function isAttachmentCarrier(c: ZendeskComment): boolean {
  return (c.body ?? '').trim() === '' && (c.attachments?.length ?? 0) > 0;
}
