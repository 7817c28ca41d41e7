// The incremental ticket export with a cursor (IncrementalTicketExportCursor): the first
// call sends `start_time` (Unix seconds, at least one minute in the past), the next ones
// only `cursor` (the previous `after_cursor`); `end_of_stream` tells when to stop. Tickets
// are ordered by `generated_timestamp`, then id; deleted tickets appear with status
// `deleted` (Zendesk docs, "Using the Incremental Exports API" → "Deleted tickets").
import type { FastifyInstance } from 'fastify';
import { route, type ZdRoutesOptions } from './app';
import { ZdError, zdError } from './wire';

/** Zendesk docs: up to 1000 tickets per page (`per_page` lowers it). */
const MAX_PER_PAGE = 1000;

const encode = (ts: number, id: number): string => Buffer.from(`${ts}.${id}`).toString('base64url');

function decode(cursor: string): { ts: number; id: number } {
  const m = /^(\d+)\.(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw zdError(400, 'InvalidCursor', 'The cursor is invalid');
  return { ts: Number(m[1]), id: Number(m[2]) };
}

export async function exportRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  const { state, wire } = ctx;
  route(app, 'GET', '/api/v2/incremental/tickets/cursor', ({ query }) => {
    const nowMs = state.now().getTime();
    const admitted = ctx.exportLimit.admit('export', nowMs);
    if (!admitted.ok) {
      throw new ZdError(
        429,
        {
          error: 'APIRateLimitExceeded',
          description: 'Number of allowed incremental export API requests per minute exceeded',
        },
        { 'retry-after': String(admitted.retryAfterSeconds) },
      );
    }
    const cursor = query.get('cursor');
    const startRaw = query.get('start_time');
    let from: { ts: number; id: number };
    if (cursor !== null) {
      from = decode(cursor);
    } else {
      if (startRaw === null || !/^\d+$/.test(startRaw))
        throw zdError(400, 'InvalidValue', 'start_time is required');
      const start = Number(startRaw);
      // IncrementalUnixTime: "Must be at least one minute in the past."
      if (start > Math.floor(nowMs / 1000) - 60)
        throw zdError(
          400,
          'InvalidValue',
          'Too recent start_time. Use a start_time older than 1 minute',
        );
      from = { ts: start, id: 0 };
    }
    const perPage = Math.min(
      MAX_PER_PAGE,
      Math.max(1, Number(query.get('per_page') ?? MAX_PER_PAGE) || MAX_PER_PAGE),
    );
    const ts = (t: { updatedAt: Date }): number => Math.floor(t.updatedAt.getTime() / 1000);
    const after = state
      .allWithDeleted()
      .filter((t) => ts(t) > from.ts || (ts(t) === from.ts && t.id > from.id))
      .sort((a, b) => ts(a) - ts(b) || a.id - b.id);
    const page = after.slice(0, perPage);
    const last = page[page.length - 1];
    const afterCursor = last ? encode(ts(last), last.id) : encode(from.ts, from.id);
    return {
      status: 200,
      json: {
        tickets: page.map(wire.ticket),
        after_url: `${ctx.base}/api/v2/incremental/tickets/cursor.json?cursor=${afterCursor}`,
        after_cursor: afterCursor,
        before_url: null,
        before_cursor: null,
        end_of_stream: after.length <= perPage,
      },
    };
  });
}
