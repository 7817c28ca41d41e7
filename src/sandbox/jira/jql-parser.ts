// The subset of JQL the Jira simulator understands, as syntax: a real tokenizer and a
// recursive-descent parser (AND / OR / NOT, parentheses, =, !=, in, not in, >, >=, <, <=, ~,
// !~, is [not] EMPTY, ORDER BY). jql-compiler.ts validates the tree against the site. Anything
// outside the subset is a JqlError (the simulator answers 400 with Jira's error envelope).

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
