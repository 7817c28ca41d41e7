// Page sizes and page tokens (opaque to clients, stable under writes), as CSAPI pages.
import { invalid } from './errors';

export function pageSizeOf(raw: string | undefined, def: number): number {
  if (raw === undefined || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) throw invalid(`Invalid value at 'page_size' (TYPE_INT32), "${raw}"`);
  const n = Number(raw);
  if (n < 0) throw invalid('page_size must not be negative.');
  if (n === 0) return def;
  return Math.min(n, 100);
}

export function encodeToken(t: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeToken(
  raw: string | undefined,
  kind: string,
  scope: string,
): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (t.k === kind && t.s === scope && typeof t.a === 'number') return t.a;
  } catch {
    /* fall through */
  }
  throw invalid('Invalid page token.');
}

/**
 * One page of a case's comments or attachments, newest first as CSAPI lists them (default
 * page size 10), under the field named `kind`, with a token that resumes after the last item.
 */
export function pageNewestFirst<T extends { seq: number }>(
  items: readonly T[],
  kind: 'comments' | 'attachments',
  caseNumber: string,
  query: Record<string, string>,
  toJson: (item: T) => unknown,
): Record<string, unknown> {
  const pageSize = pageSizeOf(query.pageSize, 10);
  const before = decodeToken(query.pageToken, kind, caseNumber);
  const all = items
    .filter((x) => before === undefined || x.seq < before)
    .sort((a, b) => b.seq - a.seq);
  const page = all.slice(0, pageSize);
  const last = page[page.length - 1];
  const out: Record<string, unknown> = {};
  if (page.length > 0) out[kind] = page.map(toJson);
  if (all.length > pageSize && last)
    out.nextPageToken = encodeToken({ k: kind, s: caseNumber, a: last.seq });
  return out;
}
