// Zendesk's wire format: ISO dates to the second, the error bodies it answers, and the JSON
// of tickets, comments, attachments, users and audits (OpenAPI schemas TicketObject,
// TicketCommentObject, AttachmentObject, UserForAdmin/UserForEndUser, AuditObject).
import type { Readable } from 'node:stream';
import type {
  AttachmentRecord,
  CommentRecord,
  TicketRecord,
  UserRecord,
  ZendeskState,
} from './state';

/** Zendesk writes `2026-01-05T10:00:00Z`: UTC, whole seconds. */
export function zdDate(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** What a route answers: JSON, or a byte stream (the attachment host). */
export interface ZdReply {
  status: number;
  json?: unknown;
  stream?: Readable;
  headers?: Record<string, string>;
}

/** An error answer thrown from anywhere inside a route. */
export class ZdError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`zendesk sim ${status}`);
  }
}

/** Zendesk's usual error body: `{"error":"RecordNotFound","description":"Not found"}`. */
export function zdError(
  status: number,
  error: string,
  description: string,
  extra: object = {},
): ZdError {
  return new ZdError(status, { error, description, ...extra });
}

export const notFound = (): ZdError => zdError(404, 'RecordNotFound', 'Not found');

/**
 * A validation failure (422 RecordInvalid with per-field details), e.g. Zendesk docs,
 * "Ticket status": `Status: closed prevents ticket update`.
 */
export function recordInvalid(field: string, description: string, error?: string): ZdError {
  return zdError(422, 'RecordInvalid', 'Record validation errors', {
    details: { [field]: [{ description, ...(error !== undefined ? { error } : {}) }] },
  });
}

export interface Wire {
  ticket(t: TicketRecord): Record<string, unknown>;
  comment(c: CommentRecord): Record<string, unknown>;
  attachment(a: AttachmentRecord): Record<string, unknown>;
  user(u: UserRecord): Record<string, unknown>;
  audit(
    t: TicketRecord,
    c: CommentRecord | undefined,
    custom: Record<string, unknown> | undefined,
    events: unknown[],
  ): Record<string, unknown>;
}

export function wire(
  state: ZendeskState,
  origins: { base: () => string; content: () => string },
): Wire {
  const api = (p: string): string => `${origins.base()}/api/v2/${p}.json`;
  const attachment = (a: AttachmentRecord): Record<string, unknown> => {
    const contentUrl = `${origins.content()}/attachments/token/${a.contentToken}/?name=${encodeURIComponent(a.fileName)}`;
    return {
      url: api(`attachments/${a.id}`),
      id: a.id,
      file_name: a.fileName,
      content_url: contentUrl,
      mapped_content_url: contentUrl,
      content_type: a.contentType,
      size: a.size,
      inline: false,
      deleted: false,
      malware_access_override: false,
      malware_scan_result: 'malware_not_found',
      thumbnails: [],
    };
  };
  const system = { client: 'zendesk-simulator', ip_address: '127.0.0.1', location: 'Loopback' };
  const via = (channel: string): Record<string, unknown> => ({
    channel,
    source: { from: {}, to: {}, rel: null },
  });
  return {
    ticket: (t) => ({
      url: api(`tickets/${t.id}`),
      id: t.id,
      external_id: t.externalId,
      via: via('api'),
      created_at: zdDate(t.createdAt),
      updated_at: zdDate(t.updatedAt),
      // Incremental export docs: the timestamp the export orders and resumes by.
      generated_timestamp: Math.floor(t.updatedAt.getTime() / 1000),
      type: null,
      subject: t.subject,
      raw_subject: t.subject,
      description: t.comments[0]?.body ?? '',
      priority: t.priority,
      status: t.deleted ? 'deleted' : t.status,
      requester_id: t.requesterId,
      submitter_id: t.submitterId,
      assignee_id: t.assigneeId,
      organization_id: null,
      group_id: t.groupId,
      collaborator_ids: [],
      follower_ids: [],
      email_cc_ids: [],
      has_incidents: false,
      is_public: t.comments.some((c) => c.public),
      due_at: null,
      tags: [...t.tags],
      custom_fields: [],
      sharing_agreement_ids: [],
      followup_ids: [],
      brand_id: 360_000_000_001,
      allow_channelback: false,
      allow_attachments: true,
      from_messaging_channel: false,
    }),
    comment: (c) => ({
      id: c.id,
      type: 'Comment',
      author_id: c.authorId,
      body: c.body,
      html_body: c.htmlBody,
      plain_body: c.body,
      public: c.public,
      attachments: c.attachments.map(attachment),
      audit_id: c.auditId,
      via: via(c.via),
      created_at: zdDate(c.createdAt),
      // TicketCommentObject.metadata: system info, plus the update's custom metadata.
      metadata: {
        system,
        ...(c.custom !== undefined ? { custom: structuredClone(c.custom) } : {}),
      },
    }),
    attachment,
    user: (u) => ({
      id: u.id,
      url: api(`users/${u.id}`),
      name: u.name,
      email: u.email ?? '',
      created_at: zdDate(u.createdAt),
      updated_at: zdDate(u.createdAt),
      time_zone: 'UTC',
      iana_time_zone: 'Etc/UTC',
      locale: 'en-US',
      locale_id: 1,
      role: u.role,
      verified: true,
      active: true,
      suspended: false,
      tags: [],
      user_fields: {},
    }),
    audit: (t, c, custom, events) => ({
      id: c?.auditId ?? state.newAuditId(),
      ticket_id: t.id,
      // The comment an update adds is created by its audit: the same created_at.
      created_at: zdDate(c?.createdAt ?? state.now()),
      author_id: state.apiUser.id,
      // Zendesk docs, "Creating and updating tickets" → "Setting metadata": the update's
      // `metadata` is kept as the audit's `metadata.custom`.
      metadata: { system, ...(custom !== undefined ? { custom } : {}) },
      events,
      via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    }),
  };
}
