// The programmatic "person" API: what agents and end users do in Zendesk, bypassing the
// REST API, its auth and its limits. Used by tests, the sandbox and /_control.
import { PRIORITIES, STATUSES, normaliseTags, type ZendeskState } from './state';
import type {
  ZendeskAttachmentInput,
  ZendeskCommentInput,
  ZendeskCommentSnapshot,
  ZendeskPriority,
  ZendeskStatus,
  ZendeskTicketInput,
  ZendeskTicketSnapshot,
} from './types';

export interface PersonApi {
  create(input: ZendeskTicketInput): ZendeskTicketSnapshot;
  comment(ticketId: number, input: ZendeskCommentInput): ZendeskCommentSnapshot;
  attachment(ticketId: number, input: ZendeskAttachmentInput): ZendeskCommentSnapshot;
  priority(ticketId: number, p: ZendeskPriority | null): void;
  status(ticketId: number, status: ZendeskStatus): void;
  tags(ticketId: number, tags: string[]): void;
}

/** Who makes a person's field changes (priority, status, tags), as triggers see it. */
const AGENT = 'Zendesk Agent';

export function personApi(state: ZendeskState): PersonApi {
  return {
    create: (input) => {
      if (input.priority != null && !PRIORITIES.includes(input.priority))
        throw new Error(`unknown priority ${String(input.priority)}`);
      if (input.status !== undefined && !(STATUSES as readonly string[]).includes(input.status))
        throw new Error(`unknown status ${input.status}`);
      const requester = state.person(input.requesterName ?? 'Customer');
      const status = input.status as ZendeskStatus | undefined;
      const t = state.createTicket({
        subject: input.subject,
        comment: { authorId: requester.id, body: input.description, public: true, via: 'web' },
        ...(status !== undefined ? { status } : {}),
        priority: input.priority ?? null,
        tags: input.tags ?? [],
        externalId: input.externalId ?? null,
        assigneeId: status === 'solved' || status === 'closed' ? state.apiUser.id : null,
        requesterId: requester.id,
      });
      return state.ticketSnapshot(t);
    },
    comment: (ticketId, input) => {
      const t = state.get(ticketId);
      const c = state.addComment(t, {
        authorId: state.person(input.authorName ?? 'Customer').id,
        body: input.body,
        public: input.public !== false,
        via: 'web',
      });
      return state.commentSnapshot(c);
    },
    attachment: (ticketId, input) => {
      const t = state.get(ticketId);
      const a = state.newAttachment(
        input.filename,
        input.contentType ?? 'application/octet-stream',
        [Buffer.from(input.content)],
        input.content.length,
      );
      const c = state.addComment(t, {
        authorId: state.person(input.authorName ?? 'Customer').id,
        body: '',
        public: input.public !== false,
        attachments: [a],
        via: 'web',
      });
      return state.commentSnapshot(c);
    },
    priority: (ticketId, p) => {
      if (p !== null && !PRIORITIES.includes(p)) throw new Error(`unknown priority ${String(p)}`);
      const t = state.get(ticketId);
      t.priority = p;
      state.touch(t, state.person(AGENT).id);
    },
    status: (ticketId, status) => {
      if (!STATUSES.includes(status)) throw new Error(`unknown status ${String(status)}`);
      const t = state.get(ticketId);
      if ((status === 'solved' || status === 'closed') && t.assigneeId === null)
        t.assigneeId = state.apiUser.id;
      t.status = status;
      state.touch(t, state.person(AGENT).id);
    },
    tags: (ticketId, tags) => {
      const t = state.get(ticketId);
      t.tags = normaliseTags(tags);
      state.touch(t, state.person(AGENT).id);
    },
  };
}
