// What the connector must know about an encoded query (SERVICENOW_SYNC_QUERY, SPEC §6.2)
// without an instance: the fields it names (ServiceNow silently ignores a term whose field
// does not exist, which would widen the sync to every record, so each is checked against
// the table's dictionary at boot), what the connector cannot combine with its own terms
// (`^NQ`, `ORDERBY`), and the `field=value` terms a record it creates must carry to be
// selected. Pure.

export const DEFAULT_SERVICENOW_SYNC_QUERY = 'active=true^u_sync_google_cloud_support=true';

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
];

interface Term {
  readonly field: string;
  readonly op: string;
  readonly value: string;
  readonly or: boolean;
}

function terms(query: string): { terms: Term[]; unreadable: string[] } {
  const out: Term[] = [];
  const unreadable: string[] = [];
  for (const raw of query.split('^')) {
    const t = raw.trim();
    if (t === '' || t === 'EQ' || t.startsWith('ORDERBY')) continue;
    const or = t.startsWith('OR');
    const body = or ? t.slice(2) : t;
    const m = /^([a-z0-9_.]+)(.*)$/s.exec(body);
    const op = m ? OPERATORS.find((o) => (m[2] ?? '').startsWith(o)) : undefined;
    if (!m || op === undefined) {
      unreadable.push(t);
      continue;
    }
    out.push({ field: m[1] as string, op, value: (m[2] ?? '').slice(op.length), or });
  }
  return { terms: out, unreadable };
}

/** Why the query cannot be used as the sync query (empty list: it can). */
export function syncQueryProblems(query: string): string[] {
  const problems: string[] = [];
  if (query.trim() === '') problems.push('is empty: it would select every record');
  if (query.includes('^NQ'))
    problems.push('uses ^NQ: the connector appends its own conditions, which ^NQ would split');
  if (/(^|\^)ORDERBY/.test(query))
    problems.push('uses ORDERBY: the connector orders by sys_updated_on,sys_id itself');
  const { unreadable } = terms(query);
  if (unreadable.length > 0)
    problems.push(`has terms that are not FIELD OPERATOR VALUE: ${unreadable.join(', ')}`);
  return problems;
}

/** Every field the query names (a dot-walk `a.b` names `a` on the table). */
export function queryFields(query: string): string[] {
  return [...new Set(terms(query).terms.map((t) => t.field.split('.')[0] as string))];
}

/**
 * The `field=value` terms every selected record satisfies (ANDed, not part of an OR group,
 * not dot-walked, not `active` or a sys_ field): what a record the connector creates sets.
 */
export function requiredEqualities(query: string): Record<string, string> {
  const list = terms(query).terms;
  const out: Record<string, string> = {};
  list.forEach((t, i) => {
    const inOr = t.or || list[i + 1]?.or === true;
    if (inOr || t.op !== '=' || t.field.includes('.')) return;
    if (t.field === 'active' || t.field.startsWith('sys_') || t.value.startsWith('javascript:'))
      return;
    out[t.field] = t.value;
  });
  return out;
}
