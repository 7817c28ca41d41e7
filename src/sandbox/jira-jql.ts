// The subset of JQL the Jira simulator understands: a real tokenizer and recursive-descent
// parser (AND / OR / NOT, parentheses, =, !=, in, not in, >, >=, <, <=, ~, !~, is [not]
// EMPTY, ORDER BY), then validation against the site (fields, operators, values) with
// Jira's own error messages. Anything outside the subset is a JqlError (the simulator
// answers 400 with Jira's error envelope).

export class JqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JqlError';
  }
}

export type JqlOperator =
  '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not';

export type JqlValue =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'list'; readonly items: readonly JqlValue[] }
  | { readonly kind: 'empty' };

export type JqlClause =
  | { readonly kind: 'and'; readonly clauses: readonly JqlClause[] }
  | { readonly kind: 'or'; readonly clauses: readonly JqlClause[] }
  | { readonly kind: 'not'; readonly clause: JqlClause }
  | {
      readonly kind: 'cmp';
      readonly field: string;
      readonly op: JqlOperator;
      readonly value: JqlValue;
    };

export interface JqlOrder {
  readonly field: string;
  readonly direction: 'ASC' | 'DESC';
}

export interface JqlQuery {
  readonly where: JqlClause | null;
  readonly orderBy: readonly JqlOrder[];
}

// --- tokenizer ---------------------------------------------------------------------------

type Token =
  | { readonly t: 'word'; readonly text: string; readonly quoted: boolean; readonly pos: number }
  | { readonly t: 'op'; readonly text: string; readonly pos: number }
  | { readonly t: 'punct'; readonly text: '(' | ')' | ','; readonly pos: number }
  | { readonly t: 'end'; readonly pos: number };

const WORD_CHAR = /[A-Za-z0-9_.\-/:[\]@+*$#]/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '!=' || two === '>=' || two === '<=' || two === '!~') {
      tokens.push({ t: 'op', text: two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '>' || c === '<' || c === '~') {
      tokens.push({ t: 'op', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      let text = '';
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input[i] as string;
        if (d === '\\' && i + 1 < input.length) {
          text += input[i + 1];
          i += 2;
          continue;
        }
        if (d === c) {
          closed = true;
          i++;
          break;
        }
        text += d;
        i++;
      }
      if (!closed) {
        throw new JqlError(
          `Error in the JQL Query: The quoted string '${text}' has not been completed. (line 1, character ${start + 1})`,
        );
      }
      tokens.push({ t: 'word', text, quoted: true, pos: start });
      continue;
    }
    if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < input.length && WORD_CHAR.test(input[i] as string)) i++;
      tokens.push({ t: 'word', text: input.slice(start, i), quoted: false, pos: start });
      continue;
    }
    throw new JqlError(
      `Error in the JQL Query: The character '${c}' is a reserved JQL character. You must enclose it in a string or use the escape '\\u${c
        .charCodeAt(0)
        .toString(16)
        .padStart(4, '0')}' instead. (line 1, character ${i + 1})`,
    );
  }
  tokens.push({ t: 'end', pos: input.length });
  return tokens;
}

// --- parser ------------------------------------------------------------------------------

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'is',
  'empty',
  'null',
  'order',
  'by',
  'asc',
  'desc',
]);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.t !== 'end') this.i++;
    return t;
  }

  private isKeyword(t: Token, kw: string): boolean {
    return t.t === 'word' && !t.quoted && t.text.toLowerCase() === kw;
  }

  private describe(t: Token): string {
    return t.t === 'end' ? 'EOF' : `'${t.t === 'word' ? t.text : t.text}'`;
  }

  private fail(expected: string, t: Token): never {
    throw new JqlError(
      `Error in the JQL Query: Expecting ${expected} but got ${this.describe(t)}. (line 1, character ${t.pos + 1})`,
    );
  }

  parse(): JqlQuery {
    let where: JqlClause | null = null;
    if (this.peek().t !== 'end' && !this.isKeyword(this.peek(), 'order')) where = this.parseOr();
    const orderBy: JqlOrder[] = [];
    if (this.isKeyword(this.peek(), 'order')) {
      this.next();
      const by = this.next();
      if (!this.isKeyword(by, 'by')) this.fail("'by'", by);
      for (;;) {
        const f = this.next();
        if (f.t !== 'word') this.fail('a field name', f);
        let direction: 'ASC' | 'DESC' = 'ASC';
        const d = this.peek();
        if (this.isKeyword(d, 'asc') || this.isKeyword(d, 'desc')) {
          direction = d.t === 'word' && d.text.toLowerCase() === 'desc' ? 'DESC' : 'ASC';
          this.next();
        }
        orderBy.push({ field: f.text, direction });
        const sep = this.peek();
        if (sep.t === 'punct' && sep.text === ',') {
          this.next();
          continue;
        }
        break;
      }
    }
    const end = this.peek();
    if (end.t !== 'end') this.fail(where === null ? 'a field name' : "either 'OR' or 'AND'", end);
    return { where, orderBy };
  }

  private parseOr(): JqlClause {
    const clauses = [this.parseAnd()];
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      clauses.push(this.parseAnd());
    }
    return clauses.length === 1 ? (clauses[0] as JqlClause) : { kind: 'or', clauses };
  }

  private parseAnd(): JqlClause {
    const clauses = [this.parseUnary()];
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      clauses.push(this.parseUnary());
    }
    return clauses.length === 1 ? (clauses[0] as JqlClause) : { kind: 'and', clauses };
  }

  private parseUnary(): JqlClause {
    const t = this.peek();
    if (this.isKeyword(t, 'not')) {
      this.next();
      return { kind: 'not', clause: this.parseUnary() };
    }
    if (t.t === 'punct' && t.text === '(') {
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (!(close.t === 'punct' && close.text === ')')) this.fail("')'", close);
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): JqlClause {
    const f = this.next();
    if (f.t !== 'word' || (!f.quoted && KEYWORDS.has(f.text.toLowerCase())))
      this.fail('a field name', f);
    const field = f.text;
    const o = this.next();
    let op: JqlOperator;
    if (o.t === 'op') {
      op = o.text as JqlOperator;
    } else if (this.isKeyword(o, 'in')) {
      op = 'in';
    } else if (this.isKeyword(o, 'not')) {
      const in2 = this.next();
      if (!this.isKeyword(in2, 'in')) this.fail("'in'", in2);
      op = 'not in';
    } else if (this.isKeyword(o, 'is')) {
      op = 'is';
      if (this.isKeyword(this.peek(), 'not')) {
        this.next();
        op = 'is not';
      }
    } else {
      return this.fail('operator', o);
    }
    let value: JqlValue;
    if (op === 'in' || op === 'not in') {
      const open = this.next();
      if (!(open.t === 'punct' && open.text === '(')) this.fail("'('", open);
      const items: JqlValue[] = [this.parseOperand()];
      for (;;) {
        const sep = this.next();
        if (sep.t === 'punct' && sep.text === ',') {
          items.push(this.parseOperand());
          continue;
        }
        if (sep.t === 'punct' && sep.text === ')') break;
        this.fail("')' or ','", sep);
      }
      value = { kind: 'list', items };
    } else if (op === 'is' || op === 'is not') {
      const e = this.next();
      if (!(this.isKeyword(e, 'empty') || this.isKeyword(e, 'null'))) this.fail("'EMPTY'", e);
      value = { kind: 'empty' };
    } else {
      value = this.parseOperand();
    }
    return { kind: 'cmp', field, op, value };
  }

  private parseOperand(): JqlValue {
    const t = this.next();
    if (t.t !== 'word') return this.fail("either a value, 'EMPTY' or a function", t);
    if (!t.quoted) {
      const lower = t.text.toLowerCase();
      if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
      if (KEYWORDS.has(lower)) this.fail("either a value, 'EMPTY' or a function", t);
      const after = this.peek();
      if (after.t === 'punct' && after.text === '(') {
        throw new JqlError(
          `Error in the JQL Query: Unable to find JQL function '${t.text}()'. (line 1, character ${t.pos + 1})`,
        );
      }
    }
    return { kind: 'word', text: t.text, quoted: t.quoted };
  }
}

export function parseJql(text: string): JqlQuery {
  return new Parser(tokenize(text)).parse();
}

// --- evaluation --------------------------------------------------------------------------

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

const OPS: Record<FieldKind, readonly JqlOperator[]> = {
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

function resolveField(name: string, site: JqlSite): ResolvedField {
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
function parseDateOperand(text: string, field: string, nowMs: number): number {
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

function words(v: JqlValue): string[] {
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
function textMatches(haystack: string, query: string): boolean {
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

export interface CompiledQuery {
  /** False when the query has no restriction (only ORDER BY, or empty). */
  readonly bounded: boolean;
  readonly matches: (issue: JqlIssue) => boolean;
  readonly compare: (a: JqlIssue, b: JqlIssue) => number;
}

function keyParts(key: string): [string, number] {
  const i = key.lastIndexOf('-');
  return [key.slice(0, i).toUpperCase(), Number(key.slice(i + 1))];
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
