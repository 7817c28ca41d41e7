// Encoded queries (`sysparm_query`) as the instance evaluates them (c_TableAPI.md,
// sysparm_query): conditions `<col><operator><value>` joined by `^` (AND) and `^OR` (OR,
// binding to the condition before it), `^NQ` (a new query whose rows are added), `ORDERBY` /
// `ORDERBYDESC`, and `javascript:gs.getUserID()` as a value (the page's own example).
// What bites: "By default, if part of a query is invalid, such as an invalid field name,
// the instance ignores the invalid part. It then returns rows using only the valid portion
// of the query" (glide.invalid_query.returns_no_rows, off by default, is an option here).
import { parseGlideDate } from './wire';

export type Row = Record<string, string>;

interface Condition {
  readonly field: string;
  readonly op: string;
  readonly value: string;
}

/** OR-groups ANDed together; one query of the `^NQ` union. */
type Conjunction = Condition[][];

export interface ParsedQuery {
  readonly union: Conjunction[];
  readonly orderBy: { field: string; desc: boolean }[];
  /** Conditions dropped because their field (or operator) is unknown. */
  readonly ignored: string[];
}

// "Operators available for filters and queries" (linked from c_TableAPI.md); longest first.
const OPERATORS = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'STARTSWITH',
  'ENDSWITH',
  'NOTLIKE',
  'NOT IN',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
] as const;

export interface QueryContext {
  /** Whether the field (possibly dot-walked) exists on the table. */
  knows(field: string): boolean;
  /** The value of a (possibly dot-walked) field of a row. */
  value(row: Row, field: string): string;
  /** gs.getUserID(). */
  userId: string;
}

function condition(term: string, ctx: QueryContext): Condition | null {
  const m = /^([a-z0-9_.]+)(.*)$/s.exec(term);
  if (m === null) return null;
  const [, field = '', rest = ''] = m;
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (op === undefined || !ctx.knows(field)) return null;
  return { field, op, value: rest.slice(op.length) };
}

export function parseQuery(query: string, ctx: QueryContext): ParsedQuery {
  const union: Conjunction[] = [];
  const orderBy: { field: string; desc: boolean }[] = [];
  const ignored: string[] = [];
  for (const part of query === '' ? [] : query.split('^NQ')) {
    const conj: Conjunction = [];
    for (const raw of part.split('^')) {
      const term = raw.trim();
      if (term === '' || term === 'EQ') continue;
      if (term.startsWith('ORDERBYDESC')) {
        const f = term.slice('ORDERBYDESC'.length);
        if (ctx.knows(f)) orderBy.push({ field: f, desc: true });
        else ignored.push(term);
        continue;
      }
      if (term.startsWith('ORDERBY')) {
        const f = term.slice('ORDERBY'.length);
        if (ctx.knows(f)) orderBy.push({ field: f, desc: false });
        else ignored.push(term);
        continue;
      }
      const isOr = term.startsWith('OR') && conj.length > 0 && !/^[a-z]/.test(term);
      const c = condition(isOr ? term.slice(2) : term, ctx);
      if (c === null) {
        ignored.push(term);
        continue;
      }
      if (isOr) conj[conj.length - 1]?.push(c);
      else conj.push([c]);
    }
    union.push(conj);
  }
  return { union, orderBy, ignored };
}

function compare(a: string, b: string): number {
  const da = parseGlideDate(a);
  const db = parseGlideDate(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  if (/^-?\d+(\.\d+)?$/.test(a) && /^-?\d+(\.\d+)?$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(row: Row, c: Condition, ctx: QueryContext): boolean {
  const actual = ctx.value(row, c.field);
  const wanted = c.value === 'javascript:gs.getUserID()' ? ctx.userId : c.value;
  switch (c.op) {
    case '=':
      return actual === wanted;
    case '!=':
      return actual !== wanted;
    case '>':
      return actual !== '' && compare(actual, wanted) > 0;
    case '>=':
      return actual !== '' && compare(actual, wanted) >= 0;
    case '<':
      return actual !== '' && compare(actual, wanted) < 0;
    case '<=':
      return actual !== '' && compare(actual, wanted) <= 0;
    case 'LIKE':
      return actual.toLowerCase().includes(wanted.toLowerCase());
    case 'NOTLIKE':
      return !actual.toLowerCase().includes(wanted.toLowerCase());
    case 'STARTSWITH':
      return actual.toLowerCase().startsWith(wanted.toLowerCase());
    case 'ENDSWITH':
      return actual.toLowerCase().endsWith(wanted.toLowerCase());
    case 'IN':
      return wanted.split(',').includes(actual);
    case 'NOT IN':
      return !wanted.split(',').includes(actual);
    case 'ISEMPTY':
      return actual === '';
    case 'ISNOTEMPTY':
      return actual !== '';
    default:
      return false;
  }
}

export function matches(row: Row, q: ParsedQuery, ctx: QueryContext): boolean {
  if (q.union.length === 0) return true;
  return q.union.some((conj) => conj.every((group) => group.some((c) => holds(row, c, ctx))));
}

export function sortRows(rows: Row[], q: ParsedQuery, ctx: QueryContext): Row[] {
  if (q.orderBy.length === 0) return rows;
  return [...rows].sort((a, b) => {
    for (const o of q.orderBy) {
      const d = compare(ctx.value(a, o.field), ctx.value(b, o.field));
      if (d !== 0) return o.desc ? -d : d;
    }
    return 0;
  });
}
