// Reading and applying a ticket's create/update body (TicketCreateInput / TicketUpdateInput)
// the way Zendesk validates it: the checks, the 422 bodies and the side effects (tags
// lowercased, uploads attached, solving assigns the API user, audit metadata kept).
import type { SimContext } from './context';
import {
  PRIORITIES,
  STATUSES,
  normaliseTags,
  textFromHtml,
  type CommentRecord,
  type NewComment,
  type TicketRecord,
} from './state';
import type { ZendeskPriority, ZendeskStatus } from './types';
import { recordInvalid, zdError } from './wire';

type Json = Record<string, unknown>;

export const asRecord = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** The `ticket` object of a request body (400 when absent). */
export function ticketBody(body: unknown): Json {
  const t = asRecord(asRecord(body)?.['ticket']);
  if (!t) throw zdError(400, 'InvalidValue', 'Parameter ticket is required');
  return t;
}

function optPriority(v: unknown): ZendeskPriority | null | undefined {
  if (v === undefined) return undefined;
  if (v === null || v === '') return null;
  if (typeof v === 'string' && (PRIORITIES as readonly string[]).includes(v))
    return v as ZendeskPriority;
  throw recordInvalid('priority', 'Priority: is not valid', 'InvalidValue');
}

function optStatus(v: unknown): ZendeskStatus | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (STATUSES as readonly string[]).includes(v))
    return v as ZendeskStatus;
  throw recordInvalid('status', 'Status: is not valid', 'InvalidValue');
}

function optTags(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw recordInvalid(field, 'Tags: must be a list of strings', 'InvalidValue');
  return normaliseTags(v as string[]);
}

function optId(v: unknown, field: string): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  throw recordInvalid(field, `${field}: is not valid`, 'InvalidValue');
}

/**
 * The comment of a create/update: `body` or `html_body` (TicketCommentObject), `public`
 * (default true for an agent's comment), `uploads` (tokens; Zendesk docs, "Attaching files":
 * the files move to this comment; unknown or expired tokens attach nothing) and custom
 * metadata (`metadata.custom` on the comment, or the ticket's `metadata`).
 */
function commentInput(ctx: SimContext, v: unknown, ticketMetadata: Json | undefined): NewComment {
  const c = asRecord(v);
  if (!c) throw recordInvalid('comment', 'Comment: is not valid', 'InvalidValue');
  const html = typeof c['html_body'] === 'string' ? c['html_body'] : undefined;
  const body =
    typeof c['body'] === 'string' ? c['body'] : html !== undefined ? textFromHtml(html) : '';
  const uploads = Array.isArray(c['uploads'])
    ? c['uploads'].filter((x): x is string => typeof x === 'string')
    : [];
  if (body.trim() === '' && uploads.length === 0)
    throw recordInvalid('comment', 'Comment: value is blank', 'BlankValue');
  if (c['public'] !== undefined && typeof c['public'] !== 'boolean')
    throw recordInvalid('comment', 'Comment: public must be true or false', 'InvalidValue');
  const ownCustom = asRecord(asRecord(c['metadata'])?.['custom']);
  const custom = ownCustom ?? ticketMetadata;
  return {
    authorId: ctx.state.apiUser.id,
    body,
    ...(html !== undefined ? { htmlBody: html } : {}),
    public: c['public'] !== false,
    attachments: ctx.state.redeemUploads(uploads),
    ...(custom !== undefined ? { custom: structuredClone(custom) } : {}),
  };
}

export interface Applied {
  comment: CommentRecord | undefined;
  custom: Json | undefined;
  events: Json[];
}

/** Validates an update body fully, then applies it (nothing changes when it fails). */
export function applyUpdate(ctx: SimContext, t: TicketRecord, input: Json): Applied {
  const priority = optPriority(input['priority']);
  let status = optStatus(input['status']);
  const tags = optTags(input['tags'], 'tags');
  const addTags = optTags(input['additional_tags'], 'additional_tags');
  const removeTags = optTags(input['remove_tags'], 'remove_tags');
  const groupId = optId(input['group_id'], 'group_id');
  const assigneeId = optId(input['assignee_id'], 'assignee_id');
  if (assigneeId != null && ctx.state.user(assigneeId)?.role === undefined)
    throw recordInvalid('assignee', 'Assignee: is not valid', 'InvalidValue');
  if (assigneeId != null && ctx.state.user(assigneeId)?.role === 'end-user')
    throw recordInvalid('assignee', 'Assignee: must be an agent', 'InvalidValue');
  const externalId = input['external_id'];
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string')
    throw recordInvalid('external_id', 'External id: is not valid', 'InvalidValue');
  const custom = asRecord(input['metadata']);
  const comment =
    input['comment'] === undefined ? undefined : commentInput(ctx, input['comment'], custom);
  if (status === 'new' && t.status !== 'new') status = undefined; // a ticket never goes back to new

  const events: Json[] = [];
  const change = (field: string, value: unknown, previous: unknown): void => {
    if (JSON.stringify(value) !== JSON.stringify(previous))
      events.push({ type: 'Change', field_name: field, value, previous_value: previous });
  };
  if (priority !== undefined) {
    change('priority', priority, t.priority);
    t.priority = priority;
  }
  if (tags !== undefined || addTags !== undefined || removeTags !== undefined) {
    let next = tags ?? [...t.tags];
    next = normaliseTags([...next, ...(addTags ?? [])]).filter(
      (x) => !(removeTags ?? []).includes(x),
    );
    change('tags', next, t.tags);
    t.tags = next;
  }
  if (externalId !== undefined) t.externalId = externalId as string | null;
  if (groupId !== undefined) t.groupId = groupId;
  if (assigneeId !== undefined) {
    change('assignee_id', assigneeId, t.assigneeId);
    t.assigneeId = assigneeId;
  }
  if (status !== undefined) {
    // A solved ticket needs an assignee. Choice (see index.ts): instead of Zendesk's 422,
    // the simulator assigns the API user, as the agent UI assigns the solving agent.
    if ((status === 'solved' || status === 'closed') && t.assigneeId === null) {
      change('assignee_id', ctx.state.apiUser.id, null);
      t.assigneeId = ctx.state.apiUser.id;
    }
    change('status', status, t.status);
    t.status = status;
  } else if (t.status === 'new' && comment !== undefined) {
    // Zendesk docs, "Ticket statuses": an agent's update opens a new ticket.
    change('status', 'open', t.status);
    t.status = 'open';
  }
  let record: CommentRecord | undefined;
  if (comment !== undefined) {
    record = ctx.state.addComment(t, comment);
    // Zendesk docs, "Ticket Audit events reference" → Comment event.
    events.unshift({
      id: record.id,
      type: 'Comment',
      author_id: record.authorId,
      body: record.body,
      html_body: record.htmlBody,
      plain_body: record.body,
      public: record.public,
      attachments: record.attachments.map(ctx.wire.attachment),
      audit_id: record.auditId,
    });
  } else {
    ctx.state.touch(t);
  }
  return { comment: record, custom, events };
}

/** Validates a create body (TicketCreateInput requires `comment`) and creates the ticket. */
export function createFromInput(
  ctx: SimContext,
  input: Json,
): { ticket: TicketRecord; applied: Applied } {
  if (input['comment'] === undefined)
    throw recordInvalid('base', 'Description: cannot be blank', 'BlankValue');
  const custom = asRecord(input['metadata']);
  const comment = commentInput(ctx, input['comment'], custom);
  const priority = optPriority(input['priority']);
  const status = optStatus(input['status']);
  const tags = optTags(input['tags'], 'tags');
  const groupId = optId(input['group_id'], 'group_id');
  const assigneeId = optId(input['assignee_id'], 'assignee_id');
  const requesterId = optId(input['requester_id'], 'requester_id');
  const requester = asRecord(input['requester']);
  const externalId = typeof input['external_id'] === 'string' ? input['external_id'] : null;
  const requesterUser =
    requesterId != null
      ? ctx.state.user(requesterId)
      : typeof requester?.['name'] === 'string'
        ? ctx.state.person(requester['name'])
        : ctx.state.apiUser;
  if (!requesterUser) throw recordInvalid('requester', 'Requester: is not valid', 'InvalidValue');
  const subject =
    typeof input['subject'] === 'string' && input['subject'] !== ''
      ? input['subject']
      : (comment.body.split('\n')[0]?.slice(0, 50) ?? '');
  const ticket = ctx.state.createTicket({
    subject,
    comment,
    ...(status !== undefined ? { status } : {}),
    priority: priority ?? null,
    tags: tags ?? [],
    externalId,
    groupId: groupId ?? null,
    assigneeId:
      assigneeId ?? (status === 'solved' || status === 'closed' ? ctx.state.apiUser.id : null),
    requesterId: requesterUser.id,
  });
  const first = ticket.comments[0];
  return {
    ticket,
    applied: {
      comment: first,
      custom,
      events: first
        ? [
            {
              id: first.id,
              type: 'Comment',
              author_id: first.authorId,
              body: first.body,
              public: first.public,
            },
          ]
        : [],
    },
  };
}
