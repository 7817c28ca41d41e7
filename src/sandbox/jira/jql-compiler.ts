// Compiles a parsed JQL query into a predicate and a sort order for the simulator's search,
// validating it against the site with Jira's own error messages.
import { JqlError, parseJql, type JqlClause, type JqlOrder } from './jql-parser';
import {
  keyParts,
  OPS,
  parseDateOperand,
  resolveField,
  textMatches,
  words,
  type JqlIssue,
  type JqlSite,
} from './jql-fields';

export interface CompiledQuery {
  /** False when the query has no restriction (only ORDER BY, or empty). */
  readonly bounded: boolean;
  readonly matches: (issue: JqlIssue) => boolean;
  readonly compare: (a: JqlIssue, b: JqlIssue) => number;
}

function compileClause(c: JqlClause, site: JqlSite): (issue: JqlIssue) => boolean {
  if (c.kind === 'and') {
    const parts = c.clauses.map((x) => compileClause(x, site));
    return (i) => parts.every((p) => p(i));
  }
  if (c.kind === 'or') {
    const parts = c.clauses.map((x) => compileClause(x, site));
    return (i) => parts.some((p) => p(i));
  }
  if (c.kind === 'not') {
    const inner = compileClause(c.clause, site);
    return (i) => !inner(i);
  }
  const field = resolveField(c.field, site);
  if (!OPS[field.kind].includes(c.op)) {
    throw new JqlError(`The operator '${c.op}' is not supported by the '${field.display}' field.`);
  }
  if (c.op === 'is' || c.op === 'is not') {
    const empty = (i: JqlIssue): boolean => {
      switch (field.kind) {
        case 'labels':
          return i.labels.length === 0;
        case 'components':
          return i.components.length === 0;
        case 'text':
          return (field.attr === 'description' ? i.descriptionText : i.summary) === '';
        case 'custom': {
          const v = i.custom[field.attr];
          return v === undefined || v === null || v === '';
        }
        default:
          return false;
      }
    };
    return c.op === 'is' ? empty : (i) => !empty(i);
  }
  if (c.value.kind === 'empty') {
    throw new JqlError(
      `The operator '${c.op}' is not supported with EMPTY for the '${field.display}' field.`,
    );
  }
  if ((c.op === 'in' || c.op === 'not in') && c.value.kind !== 'list') {
    throw new JqlError(`Error in the JQL Query: Expecting '(' after '${c.op}'.`);
  }
  const vals = words(c.value);
  const positive = c.op === '=' || c.op === 'in' || c.op === '~';
  const negate = (p: (i: JqlIssue) => boolean): ((i: JqlIssue) => boolean) =>
    positive ? p : (i) => !p(i);

  switch (field.kind) {
    case 'labels': {
      const p = (i: JqlIssue): boolean => vals.some((v) => i.labels.includes(v));
      // Jira quirk kept: negative label clauses never match issues without labels.
      return positive ? p : (i) => i.labels.length > 0 && !p(i);
    }
    case 'components': {
      const want = vals.map((v) => v.toLowerCase());
      return negate((i) => i.components.some((n) => want.includes(n.toLowerCase())));
    }
    case 'project': {
      const ids = vals.map((v) => {
        const p = site.projects.find((x) => x.key.toLowerCase() === v.toLowerCase() || x.id === v);
        if (p === undefined)
          throw new JqlError(`The value '${v}' does not exist for the field 'project'.`);
        return p.id;
      });
      return negate((i) => ids.includes(i.projectId));
    }
    case 'status': {
      const names = vals.map((v) => {
        const s = site.statuses.find((x) => x.name.toLowerCase() === v.toLowerCase());
        if (s === undefined)
          throw new JqlError(`The value '${v}' does not exist for the field 'status'.`);
        return s.name.toLowerCase();
      });
      return negate((i) => names.includes(i.status.toLowerCase()));
    }
    case 'statusCategory': {
      const cats = vals.map((v) => {
        const s = site.statuses.find(
          (x) =>
            x.categoryKey.toLowerCase() === v.toLowerCase() ||
            x.categoryName.toLowerCase() === v.toLowerCase(),
        );
        if (s === undefined)
          throw new JqlError(`The value '${v}' does not exist for the field 'statusCategory'.`);
        return s.categoryKey;
      });
      return negate((i) => cats.includes(i.statusCategoryKey));
    }
    case 'priority': {
      const names = vals.map((v) => {
        const p = site.priorities.find((x) => x.toLowerCase() === v.toLowerCase());
        if (p === undefined)
          throw new JqlError(`The value '${v}' does not exist for the field 'priority'.`);
        return p;
      });
      return negate((i) => names.includes(i.priority));
    }
    case 'issuetype': {
      const names = vals.map((v) => {
        const t = site.issueTypes.find((x) => x.toLowerCase() === v.toLowerCase());
        if (t === undefined)
          throw new JqlError(`The value '${v}' does not exist for the field 'issuetype'.`);
        return t;
      });
      return negate((i) => names.includes(i.issueType));
    }
    case 'text':
    case 'custom': {
      const q = vals[0] ?? '';
      const read = (i: JqlIssue): string => {
        if (field.kind === 'custom') {
          const v = i.custom[field.attr];
          return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
        }
        if (field.attr === 'summary') return i.summary;
        if (field.attr === 'description') return i.descriptionText;
        return `${i.summary}\n${i.descriptionText}`;
      };
      return negate((i) => textMatches(read(i), q));
    }
    case 'date': {
      const v = parseDateOperand(vals[0] ?? '', field.display, site.nowMs);
      const read = (i: JqlIssue): number => (field.attr === 'created' ? i.createdMs : i.updatedMs);
      switch (c.op) {
        case '=':
          return (i) => read(i) === v;
        case '!=':
          return (i) => read(i) !== v;
        case '>':
          return (i) => read(i) > v;
        case '>=':
          return (i) => read(i) >= v;
        case '<':
          return (i) => read(i) < v;
        default:
          return (i) => read(i) <= v;
      }
    }
    case 'key':
    case 'id': {
      if (c.op === '=' || c.op === '!=' || c.op === 'in' || c.op === 'not in') {
        return negate((i) =>
          vals.some((v) =>
            /^\d+$/.test(v) ? i.id === v : i.keys.some((k) => k.toUpperCase() === v.toUpperCase()),
          ),
        );
      }
      const target = vals[0] ?? '';
      if (!/^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(target) && !/^\d+$/.test(target)) {
        throw new JqlError(`The issue key '${target}' for field '${field.display}' is invalid.`);
      }
      const cmp = (i: JqlIssue): number => {
        if (/^\d+$/.test(target)) return Number(i.id) - Number(target);
        const [tp, tn] = keyParts(target);
        const [ip, inum] = keyParts(i.keys[0] ?? '');
        return ip === tp ? inum - tn : Number.NaN;
      };
      switch (c.op) {
        case '>':
          return (i) => cmp(i) > 0;
        case '>=':
          return (i) => cmp(i) >= 0;
        case '<':
          return (i) => cmp(i) < 0;
        default:
          return (i) => cmp(i) <= 0;
      }
    }
  }
}

function compileOrder(
  orderBy: readonly JqlOrder[],
  site: JqlSite,
): (a: JqlIssue, b: JqlIssue) => number {
  const parts = orderBy.map((o) => {
    const field = resolveField(o.field, site);
    const sign = o.direction === 'DESC' ? -1 : 1;
    let read: (i: JqlIssue) => number | string;
    switch (field.kind) {
      case 'date':
        read = (i) => (field.attr === 'created' ? i.createdMs : i.updatedMs);
        break;
      case 'key':
      case 'id':
        read = (i) => Number(i.id);
        break;
      case 'priority':
        read = (i) => site.priorities.indexOf(i.priority);
        break;
      case 'status':
        read = (i) => i.status;
        break;
      case 'project':
        read = (i) => i.projectKey;
        break;
      case 'text':
        read = (i) => (field.attr === 'description' ? i.descriptionText : i.summary);
        break;
      case 'custom':
        read = (i) => String(i.custom[field.attr] ?? '');
        break;
      default:
        throw new JqlError(`Field '${o.field}' does not support sorting.`);
    }
    return (a: JqlIssue, b: JqlIssue): number => {
      const x = read(a);
      const y = read(b);
      return x < y ? -sign : x > y ? sign : 0;
    };
  });
  return (a, b) => {
    for (const p of parts) {
      const r = p(a, b);
      if (r !== 0) return r;
    }
    // Stable tie-break (Jira's default order is newest key first).
    return Number(b.id) - Number(a.id);
  };
}

/** Parses and validates `jql` against the site; throws JqlError with Jira's message. */
export function compileJql(jql: string, site: JqlSite): CompiledQuery {
  const q = parseJql(jql);
  const matches = q.where === null ? () => true : compileClause(q.where, site);
  const compare = compileOrder(q.orderBy, site);
  return { bounded: q.where !== null, matches, compare };
}
