// What a JQL query is validated and evaluated against (the site, one issue's view), and the
// field and operand rules: which fields exist, their operators, dates and text matching.
import { JqlError, type JqlOperator, type JqlValue } from './jql-parser';

/** What a query sees of one issue. */
export interface JqlIssue {
  readonly id: string;
  /** Current key first, then the keys it had before a move. */
  readonly keys: readonly string[];
  readonly projectKey: string;
  readonly projectId: string;
  readonly summary: string;
  readonly descriptionText: string;
  readonly labels: readonly string[];
  readonly components: readonly string[];
  readonly status: string;
  readonly statusCategoryKey: string;
  readonly priority: string;
  readonly issueType: string;
  readonly createdMs: number;
  readonly updatedMs: number;
  /** customfield_NNNNN → value (strings for text fields). */
  readonly custom: Readonly<Record<string, unknown>>;
}

/** The site a query is validated against. */
export interface JqlSite {
  readonly projects: readonly { readonly key: string; readonly id: string }[];
  readonly statuses: readonly {
    readonly name: string;
    readonly categoryKey: string;
    readonly categoryName: string;
  }[];
  readonly priorities: readonly string[];
  readonly issueTypes: readonly string[];
  readonly customFields: readonly { readonly id: string; readonly name: string }[];
  readonly nowMs: number;
}

type FieldKind =
  | 'labels'
  | 'components'
  | 'project'
  | 'date'
  | 'key'
  | 'id'
  | 'status'
  | 'statusCategory'
  | 'priority'
  | 'issuetype'
  | 'text'
  | 'custom';

interface ResolvedField {
  readonly kind: FieldKind;
  /** The attribute to read (for dates: created/updated; for text: summary/…; custom: the id). */
  readonly attr: string;
  readonly display: string;
}

export const OPS: Record<FieldKind, readonly JqlOperator[]> = {
  labels: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  components: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  project: ['=', '!=', 'in', 'not in'],
  date: ['=', '!=', '>', '>=', '<', '<=', 'is', 'is not'],
  key: ['=', '!=', 'in', 'not in', '>', '>=', '<', '<='],
  id: ['=', '!=', 'in', 'not in', '>', '>=', '<', '<='],
  status: ['=', '!=', 'in', 'not in'],
  statusCategory: ['=', '!=', 'in', 'not in'],
  priority: ['=', '!=', 'in', 'not in', 'is', 'is not'],
  issuetype: ['=', '!=', 'in', 'not in'],
  text: ['~', '!~', 'is', 'is not'],
  custom: ['~', '!~', 'is', 'is not'],
};

export function resolveField(name: string, site: JqlSite): ResolvedField {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'labels':
    case 'label':
      return { kind: 'labels', attr: 'labels', display: 'labels' };
    case 'component':
    case 'components':
      return { kind: 'components', attr: 'components', display: 'component' };
    case 'project':
      return { kind: 'project', attr: 'project', display: 'project' };
    case 'updated':
    case 'updateddate':
      return { kind: 'date', attr: 'updated', display: 'updated' };
    case 'created':
    case 'createddate':
      return { kind: 'date', attr: 'created', display: 'created' };
    case 'key':
    case 'issuekey':
      return { kind: 'key', attr: 'key', display: 'key' };
    case 'id':
      return { kind: 'id', attr: 'id', display: 'id' };
    case 'status':
      return { kind: 'status', attr: 'status', display: 'status' };
    case 'statuscategory':
      return { kind: 'statusCategory', attr: 'statusCategory', display: 'statusCategory' };
    case 'priority':
      return { kind: 'priority', attr: 'priority', display: 'priority' };
    case 'issuetype':
    case 'type':
      return { kind: 'issuetype', attr: 'issuetype', display: 'issuetype' };
    case 'summary':
    case 'description':
    case 'text':
      return { kind: 'text', attr: lower, display: lower };
    default: {
      const m = /^(?:cf\[(\d+)\]|customfield_(\d+))$/i.exec(name);
      const num = m?.[1] ?? m?.[2];
      const byId =
        num === undefined
          ? undefined
          : site.customFields.find((f) => f.id === `customfield_${num}`);
      const byName = site.customFields.find((f) => f.name.toLowerCase() === lower);
      const field = byId ?? byName;
      if (field !== undefined) return { kind: 'custom', attr: field.id, display: field.name };
      throw new JqlError(
        `Field '${name}' does not exist or you do not have permission to view it.`,
      );
    }
  }
}

const DATE_FORMATS: readonly RegExp[] = [
  /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/,
];

/** A JQL date operand → epoch ms (minute-granular for formatted dates, UTC = the API user's zone). */
export function parseDateOperand(text: string, field: string, nowMs: number): number {
  if (/^-?\d+$/.test(text)) return Number(text);
  for (const re of DATE_FORMATS) {
    const m = re.exec(text.trim());
    if (m) {
      const [, y, mo, d, h, mi] = m;
      const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0));
      const check = new Date(ms);
      if (check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d)) return ms;
    }
  }
  const rel = /^([-+]?)\s*(\d+)\s*([wdhm])$/i.exec(text.trim());
  if (rel) {
    const unit = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[
      (rel[3] as string).toLowerCase() as 'w' | 'd' | 'h' | 'm'
    ];
    const sign = rel[1] === '-' ? -1 : 1;
    return nowMs + sign * Number(rel[2]) * unit;
  }
  throw new JqlError(
    `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  );
}

export function words(v: JqlValue): string[] {
  if (v.kind === 'word') return [v.text];
  if (v.kind === 'list') return v.items.flatMap(words);
  return [];
}

function tokensOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

/** Jira's `~`: every term must occur; a quoted phrase must occur as consecutive terms. */
export function textMatches(haystack: string, query: string): boolean {
  const hay = tokensOf(haystack);
  const phrases: string[][] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query)) !== null) {
    if (m[1] !== undefined) phrases.push(tokensOf(m[1]));
    else phrases.push(...tokensOf(m[2] as string).map((t) => [t]));
  }
  const nonEmpty = phrases.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return false;
  return nonEmpty.every((phrase) => {
    for (let i = 0; i + phrase.length <= hay.length; i++) {
      if (phrase.every((t, j) => hay[i + j] === t)) return true;
    }
    return false;
  });
}

export function keyParts(key: string): [string, number] {
  const i = key.lastIndexOf('-');
  return [key.slice(0, i).toUpperCase(), Number(key.slice(i + 1))];
}
