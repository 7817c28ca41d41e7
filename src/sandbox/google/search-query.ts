// The `query` of cases.search: `update_time > "RFC 3339"`, `state = OPEN|CLOSED` and
// `priority = Pn` terms joined by AND; anything else is refused like the real API does.
import { invalid } from './errors';
import type { CaseRecord } from './records';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export function parseCaseQuery(query: string): (c: CaseRecord) => boolean {
  const text = query.trim();
  if (text === '') return () => true;
  const tests: ((c: CaseRecord) => boolean)[] = [];
  for (const term of text.split(/\s+AND\s+/)) {
    const t = term.trim();
    const upd = /^update_time\s*>\s*(?:"([^"]*)"|(\S+))$/.exec(t);
    if (upd) {
      const value = upd[1] ?? upd[2] ?? '';
      const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(ms))
        throw invalid('Invalid query: update_time must be an RFC 3339 timestamp.');
      tests.push((c) => c.updateTime.getTime() > ms);
      continue;
    }
    const state = /^state\s*=\s*(OPEN|CLOSED)$/.exec(t);
    if (state) {
      const closed = state[1] === 'CLOSED';
      tests.push((c) => (c.state === 'CLOSED') === closed);
      continue;
    }
    const prio = /^priority\s*=\s*(P[0-4])$/.exec(t);
    if (prio) {
      tests.push((c) => c.priority === prio[1]);
      continue;
    }
    throw invalid('Invalid query: unsupported expression.');
  }
  return (c) => tests.every((f) => f(c));
}
