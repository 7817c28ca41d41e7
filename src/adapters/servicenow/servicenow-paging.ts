// Keyset pages over a Table API query, as SPEC §6.2 wants them: ordered by TIME_FIELD then
// sys_id, each page continuing after the last row seen with
// `TIME>=t^TIME>t^ORsys_id>i` (only `^` and `^OR`, c_TableAPI.md, sysparm_query: `^OR`
// binds to the condition before it, so this is TIME>=t AND (TIME>t OR sys_id>i)). A short
// page is never trusted: "sysparm_limit … is applied before ACL evaluation", so a page may
// come back short, even empty, with more to come. The Link header's rel="next" says whether
// more rows follow; a page emptied by ACLs moves on by sysparm_offset within the same
// keyset. Rows hidden by ACLs are told apart from the end by X-Total-Count (the count
// before ACLs).
import { z } from 'zod';
import { SyncError } from '../../domain/errors';
import { hasNextLink, totalCount, type ServiceNowClient } from './servicenow-client';
import { SERVICENOW_SOURCE } from './servicenow-errors';
import { listOf } from './servicenow-schemas';

export interface Cursor {
  /** The keyset: TIME and sys_id of the last row seen (absent on the first page). */
  readonly t?: string;
  readonly i?: string;
  /** Rows to skip within the keyset (pages emptied by ACLs). */
  readonly o: number;
}

export interface KeysetPage<T> {
  readonly rows: T[];
  /** null: no more rows. */
  readonly next: Cursor | null;
  /** Rows this page should have held were hidden by ACLs. */
  readonly hidden: boolean;
}

export async function keysetPage<T extends { sys_id: string }>(
  sn: ServiceNowClient,
  o: {
    op: string;
    table: string;
    query: string;
    timeField: string;
    fields: readonly string[];
    limit: number;
    cursor: Cursor;
    row: z.ZodType<T>;
    time: (row: T) => string;
  },
): Promise<KeysetPage<T>> {
  const { t, i } = o.cursor;
  const keyset =
    t !== undefined && i !== undefined
      ? `^${o.timeField}>=${t}^${o.timeField}>${t}^ORsys_id>${i}`
      : '';
  const q = `${o.query}${keyset}^ORDERBY${o.timeField}^ORDERBYsys_id`;
  const { data, headers } = await sn.answer(
    o.op,
    'GET',
    `/api/now/table/${o.table}`,
    listOf(o.row),
    {
      query: {
        sysparm_query: q,
        sysparm_fields: o.fields.join(','),
        sysparm_limit: o.limit,
        sysparm_offset: o.cursor.o > 0 ? o.cursor.o : undefined,
        sysparm_exclude_reference_link: 'true',
      },
    },
  );
  const rows = data.result;
  const total = totalCount(headers);
  const expected =
    total === undefined ? rows.length : Math.min(o.limit, Math.max(0, total - o.cursor.o));
  const more = hasNextLink(headers) ?? rows.length > 0;
  const last = rows[rows.length - 1];
  const next: Cursor | null = !more
    ? null
    : last !== undefined
      ? { t: o.time(last), i: last.sys_id, o: 0 }
      : { ...o.cursor, o: o.cursor.o + o.limit };
  return { rows, next, hidden: rows.length < expected };
}

/** Every row of a keyset query; `onHidden` decides what rows hidden by ACLs mean. */
export async function allRows<T extends { sys_id: string }>(
  sn: ServiceNowClient,
  o: Omit<Parameters<typeof keysetPage<T>>[1], 'cursor'> & { onHidden?: () => never },
): Promise<T[]> {
  const out: T[] = [];
  let cursor: Cursor | null = { o: 0 };
  for (let pages = 0; cursor !== null; pages++) {
    if (pages > 10_000)
      throw new SyncError('permanent', `ServiceNow ${o.op}: paging does not end`, {
        source: SERVICENOW_SOURCE,
      });
    const page: KeysetPage<T> = await keysetPage(sn, { ...o, cursor });
    if (page.hidden) o.onHidden?.();
    out.push(...page.rows);
    cursor = page.next;
  }
  return out;
}

/** A poll page token: the phase (records, then attachments) and its cursor. */
export interface PollToken extends Cursor {
  readonly p: 'r' | 'a';
}

const tokenSchema = z.object({
  p: z.enum(['r', 'a']),
  t: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .optional(),
  i: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  o: z.number().int().nonnegative(),
});

export function encodeToken(t: PollToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeToken(token: string): PollToken {
  try {
    const parsed = tokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return {
      p: parsed.p,
      o: parsed.o,
      ...(parsed.t !== undefined ? { t: parsed.t } : {}),
      ...(parsed.i !== undefined ? { i: parsed.i } : {}),
    };
  } catch {
    throw new SyncError('permanent', 'Invalid ServiceNow page token', {
      source: SERVICENOW_SOURCE,
    });
  }
}
