// Tickets (CreateTicket, ShowTicket, UpdateTicket, ListTickets by `external_id`) and their
// comments (ListTicketComments, cursor or offset pages).
import type { FastifyInstance } from 'fastify';
import { route, type ZdRoutesOptions } from './app';
import type { SimContext } from './context';
import type { TicketRecord } from './state';
import { applyUpdate, createFromInput, ticketBody } from './ticket-input';
import { notFound, recordInvalid, zdDate, ZdError, zdError } from './wire';

function ticketOr404(ctx: SimContext, raw: string | undefined): TicketRecord {
  const id = Number(raw);
  const t = Number.isInteger(id) ? ctx.state.find(id) : undefined;
  if (!t) throw notFound();
  return t;
}

export async function ticketRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  const { state, wire } = ctx;

  route(app, 'POST', '/api/v2/tickets', ({ body }) => {
    const { ticket, applied } = createFromInput(ctx, ticketBody(body));
    return {
      status: 201,
      headers: { location: `${ctx.base}/api/v2/tickets/${ticket.id}.json` },
      json: {
        ticket: wire.ticket(ticket),
        audit: wire.audit(ticket, applied.comment, applied.custom, applied.events),
      },
    };
  });

  route(app, 'GET', '/api/v2/tickets/{ticket_id}', ({ params }) => ({
    status: 200,
    json: { ticket: wire.ticket(ticketOr404(ctx, params['ticket_id'])) },
  }));

  route(app, 'PUT', '/api/v2/tickets/{ticket_id}', ({ params, body }) => {
    const t = ticketOr404(ctx, params['ticket_id']);
    if (ctx.updateLimit) {
      const admitted = ctx.updateLimit.admit(String(t.id), state.now().getTime());
      if (!admitted.ok) {
        // The OpenAPI's own 429 examples for updates (UpdateOrganization): `Errors` body.
        throw new ZdError(
          429,
          { errors: [{ code: 'TooManyRequests', title: 'Too many requests to update' }] },
          { 'retry-after': String(admitted.retryAfterSeconds) },
        );
      }
    }
    const input = ticketBody(body);
    // Zendesk docs, "Ticket statuses": a closed ticket can't be updated.
    if (t.status === 'closed')
      throw recordInvalid('status', 'Status: closed prevents ticket update');
    // TicketUpdateInput.safe_update / updated_stamp; Zendesk docs, "Protecting against ticket
    // update collisions": a stamp that is not the ticket's updated_at answers 409.
    if (input['safe_update'] === true || input['safe_update'] === 'true') {
      const stamp =
        typeof input['updated_stamp'] === 'string' ? Date.parse(input['updated_stamp']) : NaN;
      if (Number.isNaN(stamp))
        throw recordInvalid(
          'updated_stamp',
          'Updated stamp: is required for a safe update',
          'BlankValue',
        );
      if (zdDate(new Date(stamp)) !== zdDate(t.updatedAt)) {
        throw zdError(
          409,
          'UpdateConflict',
          'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
        );
      }
    }
    const applied = applyUpdate(ctx, t, input);
    return {
      status: 200,
      json: {
        ticket: wire.ticket(t),
        audit: wire.audit(t, applied.comment, applied.custom, applied.events),
      },
    };
  });

  route(app, 'GET', '/api/v2/tickets', ({ query }) => {
    const externalId = query.get('external_id');
    const tickets = state
      .all()
      .filter((t) => externalId === null || t.externalId === externalId)
      .map(wire.ticket);
    return {
      status: 200,
      json: { tickets, next_page: null, previous_page: null, count: tickets.length },
    };
  });
}

const encodeCursor = (id: number): string => Buffer.from(`c:${id}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^c:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw zdError(400, 'InvalidPaginationParameter', 'cursor is invalid');
  return Number(m[1]);
}

export async function commentRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  const { state, wire } = ctx;
  // ListTicketComments: sorted by created_at ascending by default (`sort=-created_at`
  // descending); at most 100 per page; cursor pages (`page[size]`, `page[after]`,
  // `page[before]`, answered with `meta` and `links`) or offset pages (`page`, `per_page`,
  // answered with `next_page`, `previous_page`, `count`); `include=users` sideloads authors.
  route(app, 'GET', '/api/v2/tickets/{ticket_id}/comments', ({ params, query }) => {
    const t = ticketOr404(ctx, params['ticket_id']);
    const descending = query.get('sort') === '-created_at';
    const all = descending ? [...t.comments].reverse() : [...t.comments];
    const self = `${ctx.base}/api/v2/tickets/${t.id}/comments.json`;
    const sizeParam = query.get('page[size]');
    const cursorMode = sizeParam !== null || query.has('page[after]') || query.has('page[before]');
    let page: typeof all;
    let extra: Record<string, unknown>;
    if (cursorMode) {
      const size = Math.min(100, Math.max(1, Number(sizeParam ?? 100) || 100));
      const after = query.get('page[after]');
      const before = query.get('page[before]');
      let start = 0;
      let end = all.length;
      if (after !== null) start = all.findIndex((c) => c.id === decodeCursor(after)) + 1;
      if (before !== null)
        end = Math.max(
          0,
          all.findIndex((c) => c.id === decodeCursor(before)),
        );
      if (before !== null && after === null) start = Math.max(0, end - size);
      page = all.slice(start, Math.min(end, start + size));
      const hasMore = before !== null && after === null ? start > 0 : start + page.length < end;
      const first = page[0];
      const last = page[page.length - 1];
      const link = (k: string, c: string): string =>
        `${self}?${new URLSearchParams({ 'page[size]': String(size), [k]: c, ...(descending ? { sort: '-created_at' } : {}) })}`;
      extra = {
        meta: {
          has_more: hasMore,
          after_cursor: last ? encodeCursor(last.id) : null,
          before_cursor: first ? encodeCursor(first.id) : null,
        },
        links: {
          prev: first ? link('page[before]', encodeCursor(first.id)) : null,
          next: last && hasMore ? link('page[after]', encodeCursor(last.id)) : null,
        },
      };
    } else {
      const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 100) || 100));
      const n = Math.max(1, Number(query.get('page') ?? 1) || 1);
      page = all.slice((n - 1) * perPage, n * perPage);
      extra = {
        next_page: n * perPage < all.length ? `${self}?page=${n + 1}&per_page=${perPage}` : null,
        previous_page: n > 1 ? `${self}?page=${n - 1}&per_page=${perPage}` : null,
        count: all.length,
      };
    }
    const include = (query.get('include') ?? '').split(',');
    const users = include.includes('users')
      ? {
          users: [...new Set(page.map((c) => c.authorId))]
            .map((id) => state.user(id))
            .filter((u) => u !== undefined)
            .map(wire.user),
        }
      : {};
    return { status: 200, json: { comments: page.map(wire.comment), ...users, ...extra } };
  });
}
