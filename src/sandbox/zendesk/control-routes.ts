// The /_control API for tests and `npm run sandbox -- --crm zendesk`: people's actions on
// tickets, faults, the "down" switch and stats. No auth, faults, stats or exchanges.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultSpec } from '../faults';
import type { ZdRoutesOptions } from './app';
import { send } from './app';
import { asRecord } from './ticket-input';
import type {
  ZendeskCommentSnapshot,
  ZendeskPriority,
  ZendeskStatus,
  ZendeskTicketSnapshot,
} from './types';

type Body = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Snapshots as JSON: dates as ISO strings, attachment content as base64. */
function json(
  v:
    | ZendeskTicketSnapshot
    | ZendeskCommentSnapshot
    | (ZendeskTicketSnapshot & { comments: ZendeskCommentSnapshot[] }),
): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, value: unknown) =>
      typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer'
        ? Buffer.from((value as { data: number[] }).data).toString('base64')
        : value,
    ),
  );
}

export async function controlRoutes(
  app: FastifyInstance,
  { ctx, person }: ZdRoutesOptions,
): Promise<void> {
  const { state } = ctx;
  const control =
    (handler: (body: Body, id: number) => { status: number; json?: unknown }) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      try {
        const id = Number((request.params as Record<string, string>)['id']);
        const r = handler(asRecord(request.body) ?? {}, id);
        return send(reply, r);
      } catch (e) {
        return send(reply, {
          status: 400,
          json: { error: e instanceof Error ? e.message : 'bad request' },
        });
      }
    };
  const snapshot = (id: number): unknown => {
    const t = state.find(id);
    return t
      ? json({
          ...state.ticketSnapshot(t),
          comments: t.comments.map((c) => state.commentSnapshot(c)),
        })
      : null;
  };

  app.get(
    '/_control/tickets',
    control(() => ({ status: 200, json: state.all().map((t) => json(state.ticketSnapshot(t))) })),
  );
  app.post(
    '/_control/tickets',
    control((b) => {
      const tags = Array.isArray(b['tags']) ? (b['tags'] as string[]) : undefined;
      const created = person.create({
        subject: str(b['subject']) ?? 'Untitled',
        description: str(b['description']) ?? '',
        ...(tags !== undefined ? { tags } : {}),
        ...(b['priority'] !== undefined
          ? { priority: b['priority'] as ZendeskPriority | null }
          : {}),
        ...(str(b['status']) !== undefined ? { status: str(b['status']) as string } : {}),
        ...(str(b['requesterName']) !== undefined
          ? { requesterName: str(b['requesterName']) as string }
          : {}),
        ...(str(b['externalId']) !== undefined
          ? { externalId: str(b['externalId']) as string }
          : {}),
      });
      return { status: 201, json: json(created) };
    }),
  );
  app.get(
    '/_control/tickets/:id',
    control((_b, id) => {
      const s = snapshot(id);
      return s === null
        ? { status: 404, json: { error: 'no such ticket' } }
        : { status: 200, json: s };
    }),
  );
  app.put(
    '/_control/tickets/:id',
    control((b, id) => {
      if (b['priority'] !== undefined) person.priority(id, b['priority'] as ZendeskPriority | null);
      if (str(b['status']) !== undefined) person.status(id, str(b['status']) as ZendeskStatus);
      if (Array.isArray(b['tags'])) person.tags(id, b['tags'] as string[]);
      return { status: 200, json: snapshot(id) };
    }),
  );
  app.delete(
    '/_control/tickets/:id',
    control((_b, id) => {
      state.deleteTicket(id);
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/tickets/:id/comments',
    control((b, id) => {
      const authorName = str(b['authorName']);
      const c = person.comment(id, {
        body: str(b['body']) ?? '',
        public: b['public'] !== false,
        ...(authorName !== undefined ? { authorName } : {}),
      });
      return { status: 201, json: json(c) };
    }),
  );
  app.post(
    '/_control/tickets/:id/attachments',
    control((b, id) => {
      const authorName = str(b['authorName']);
      const contentType = str(b['contentType']);
      const c = person.attachment(id, {
        filename: str(b['filename']) ?? 'file.bin',
        content: Buffer.from(str(b['contentBase64']) ?? '', 'base64'),
        public: b['public'] !== false,
        ...(contentType !== undefined ? { contentType } : {}),
        ...(authorName !== undefined ? { authorName } : {}),
      });
      return { status: 201, json: json(c) };
    }),
  );

  app.get(
    '/_control/faults',
    control(() => ({ status: 200, json: ctx.faults.list() })),
  );
  app.post(
    '/_control/faults',
    control((b) => ({ status: 201, json: { id: ctx.faults.add(b as FaultSpec) } })),
  );
  app.delete(
    '/_control/faults',
    control(() => {
      ctx.faults.clear();
      return { status: 204 };
    }),
  );
  app.post(
    '/_control/down',
    control((b) => {
      ctx.down = b['down'] === true;
      return { status: 200, json: { down: ctx.down } };
    }),
  );
  app.get(
    '/_control/stats',
    control(() => ({ status: 200, json: ctx.stats })),
  );
}
