// EQL text -> Query AST. Precedence, lowest first: or, and, not, comparison/predicate,
// + -, * / %, unary minus. Errors: EqlError with code and line:col.

import type { EventQuery, Expr, FieldExpr, Pipe, Pos, Query, SequenceStage } from './ast.js';
import { EqlError } from './errors.js';
import { FUNCTIONS } from './functions.js';
import { tokenize, type Token } from './lexer.js';
import { LuceneRegexError, luceneToRe2 } from './lucene-regex.js';

const FUNCTION_NAMES = new Map(Object.keys(FUNCTIONS).map((n) => [n.toLowerCase(), n]));
const UPPER_KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'REGEX', 'WHERE', 'BY', 'WITH', 'UNTIL']);
const COMPARE = new Set(['==', '!=', '<', '<=', '>', '>=']);
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };

class Parser {
  private i = 0;
  constructor(private readonly t: Token[]) {}

  private peek(k = 0): Token {
    return this.t[Math.min(this.i + k, this.t.length - 1)]!;
  }
  private next(): Token {
    return this.t[this.i++] ?? this.t[this.t.length - 1]!;
  }
  private is(value: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok.type !== 'string' && tok.type !== 'eof' && tok.value === value && !tok.quoted;
  }
  private fail(tok: Token, msg: string, code: 'EQL_SYNTAX' | 'EQL_SEMANTIC' | 'EQL_FUNCTION' | 'EQL_TYPE' = 'EQL_SYNTAX'): never {
    throw new EqlError(code, msg, tok.line, tok.col);
  }
  private describe(tok: Token): string {
    return tok.type === 'eof' ? 'end of input' : `'${tok.raw}'`;
  }
  private expect(value: string, what = `'${value}'`): Token {
    const tok = this.peek();
    if (!this.is(value)) this.fail(tok, `expected ${what} but found ${this.describe(tok)}`);
    return this.next();
  }
  private pos(tok: Token): Pos {
    return { line: tok.line, col: tok.col };
  }

  query(): Query {
    const first = this.peek();
    let q: Query;
    if (this.is('sequence')) q = this.sequence();
    else if (this.is('sample')) q = this.sample();
    else if (this.is('join')) this.fail(first, 'join is not supported', 'EQL_SEMANTIC');
    else q = { type: 'event', query: this.eventQuery(), pipes: [] };
    q.pipes = this.pipes();
    const end = this.peek();
    if (end.type !== 'eof') this.fail(end, `unexpected ${this.describe(end)}`);
    return q;
  }

  private pipes(): Pipe[] {
    const out: Pipe[] = [];
    while (this.is('|')) {
      const bar = this.next();
      const name = this.next();
      if (name.type !== 'ident' || (name.value !== 'head' && name.value !== 'tail')) {
        this.fail(name, `pipe ${this.describe(name)} is not supported; only head and tail are`, 'EQL_SEMANTIC');
      }
      const n = this.peek();
      let count = 10;
      if (n.type === 'number') {
        this.next();
        count = Number(n.value);
        if (!Number.isInteger(count) || count < 0) this.fail(n, `${name.value} needs a non-negative integer, found ${n.raw}`, 'EQL_SEMANTIC');
      } else if (this.is('-')) {
        this.fail(n, `${name.value} needs a non-negative integer`, 'EQL_SEMANTIC');
      }
      out.push({ kind: name.value, count, pos: this.pos(bar) });
    }
    return out;
  }

  private eventQuery(): EventQuery {
    const tok = this.next();
    let category: string | undefined;
    if (tok.type === 'keyword' && tok.value === 'any') category = undefined;
    else if (tok.type === 'ident' || tok.type === 'string') category = tok.value;
    else this.fail(tok, `expected an event category but found ${this.describe(tok)}`);
    this.expect('where');
    return { category, where: this.expr(), pos: this.pos(tok) };
  }

  private joinKeys(): FieldExpr[] {
    this.expect('by');
    const keys = [this.joinKey()];
    while (this.is(',')) {
      this.next();
      keys.push(this.joinKey());
    }
    return keys;
  }

  private joinKey(): FieldExpr {
    const tok = this.peek();
    const e = this.additive();
    if (e.type !== 'field') this.fail(tok, 'join keys must be field names', 'EQL_TYPE');
    return e;
  }

  private maxspan(): { ms: number; text: string } {
    this.expect('with');
    this.expect('maxspan');
    this.expect('=');
    const tok = this.next();
    const m = tok.type === 'number' ? /^(\d+)([A-Za-z]*)$/.exec(tok.value) : null;
    if (!m) this.fail(tok, `expected a time span such as 5m but found ${this.describe(tok)}`);
    const unitTok = m[2] ? undefined : this.peek().type === 'ident' ? this.next() : undefined;
    const unit = m[2] || unitTok?.value;
    if (!unit) this.fail(tok, `missing time unit in maxspan=${tok.raw}; use ms, s, m, h or d`, 'EQL_SEMANTIC');
    const scale = TIME_UNITS[unit];
    if (scale === undefined) this.fail(unitTok ?? tok, `unknown time unit '${unit}'; use ms, s, m, h or d`, 'EQL_SEMANTIC');
    return { ms: Number(m[1]) * scale, text: `${m[1]}${unit}` };
  }

  private stage(allowMissing: boolean): SequenceStage {
    const open = this.peek();
    let missing = false;
    if (this.is('![')) {
      if (!allowMissing) this.fail(open, 'a missing event ![...] is not allowed here', 'EQL_SEMANTIC');
      missing = true;
      this.next();
    } else this.expect('[', "'[' to start a sequence query");
    const query = this.eventQuery();
    this.expect(']');
    let by: FieldExpr[] = [];
    let runs = 1;
    for (let k = 0; k < 2; k++) {
      if (this.is('by') && by.length === 0) by = this.joinKeys();
      else if (this.is('with') && this.is('runs', 1)) {
        this.next();
        this.next();
        this.expect('=');
        const n = this.next();
        runs = Number(n.value);
        if (n.type !== 'number' || !Number.isInteger(runs) || runs < 1 || runs > 100) {
          this.fail(n, 'runs must be an integer between 1 and 100', 'EQL_SEMANTIC');
        }
      }
    }
    return { query, by, missing, runs };
  }

  private sequence(): Query {
    const kw = this.next();
    let by: FieldExpr[] = [];
    let span: { ms: number; text: string } | undefined;
    if (this.is('by')) {
      by = this.joinKeys();
      if (this.is('with')) span = this.maxspan();
    } else if (this.is('with')) {
      span = this.maxspan();
      if (this.is('by')) this.fail(this.peek(), 'specify sequence [by] before [with], not after', 'EQL_SEMANTIC');
    }
    const stages: SequenceStage[] = [];
    while (this.is('[') || this.is('![')) stages.push(this.stage(true));
    let until: SequenceStage | undefined;
    if (this.is('until')) {
      this.next();
      until = this.stage(false);
    }
    const positive = stages.reduce((n, s) => n + (s.missing ? 0 : s.runs), 0);
    if (stages.reduce((n, s) => n + s.runs, 0) < 2) this.fail(kw, 'a sequence needs at least two queries', 'EQL_SEMANTIC');
    if (positive < 1) this.fail(kw, 'a sequence needs at least one query that is not a missing event', 'EQL_SEMANTIC');
    if (stages.some((s) => s.missing) && span === undefined) {
      this.fail(kw, 'a sequence with missing events ![...] needs maxspan', 'EQL_SEMANTIC');
    }
    this.checkKeyCounts(by, [...stages, ...(until ? [until] : [])]);
    return { type: 'sequence', by, maxspanMs: span?.ms, maxspanText: span?.text, stages, until, pipes: [] };
  }

  private sample(): Query {
    this.next();
    const by = this.is('by') ? this.joinKeys() : [];
    const stages: SequenceStage[] = [];
    while (this.is('[')) stages.push(this.stage(false));
    if (stages.length < 1) this.fail(this.peek(), "expected '[' to start a sample query");
    this.checkKeyCounts(by, stages);
    return { type: 'sample', by, stages, pipes: [] };
  }

  private checkKeyCounts(shared: FieldExpr[], stages: SequenceStage[]): void {
    const counts = stages.map((s) => s.by.length);
    const expected = counts[0] ?? 0;
    stages.forEach((s, k) => {
      if (s.by.length !== expected) {
        const at = s.by[0]?.pos ?? s.query.pos;
        throw new EqlError(
          'EQL_SEMANTIC',
          `inconsistent number of join keys specified; expected [${expected + shared.length}] but found [${s.by.length + shared.length}] in query ${k + 1}`,
          at.line, at.col,
        );
      }
    });
  }

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    return this.logical('or', () => this.and());
  }

  private and(): Expr {
    return this.logical('and', () => this.not());
  }

  /** Left-associative chain of `op` over operands parsed by `operand`. */
  private logical(op: 'and' | 'or', operand: () => Expr): Expr {
    let left = operand();
    while (this.is(op)) {
      const tok = this.next();
      left = { type: 'logical', op, left, right: operand(), pos: this.pos(tok) };
    }
    return left;
  }

  private not(): Expr {
    if (this.is('not')) {
      const tok = this.next();
      return { type: 'not', expr: this.not(), pos: this.pos(tok) };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const start = this.peek();
    const left = this.additive();
    const tok = this.peek();
    const pos = this.pos(start);
    if (tok.type === 'ident' && !tok.quoted && UPPER_KEYWORDS.has(tok.value)) {
      this.fail(tok, `EQL keywords are lowercase: write '${tok.value.toLowerCase()}'`);
    }
    if (tok.type === 'op' && COMPARE.has(tok.value)) {
      this.next();
      const right = this.additive();
      const after = this.peek();
      if (after.type === 'op' && (COMPARE.has(after.value) || after.value === ':')) {
        this.fail(after, `comparisons cannot be chained; found ${this.describe(after)}`);
      }
      return { type: 'compare', op: tok.value as '==', left, right, pos };
    }
    if (tok.type === 'op' && tok.value === '=') this.fail(tok, "'=' is not a comparison; use '==' or ':'");
    let negated = false;
    if (this.is('not') && (this.is('in', 1) || this.is('in~', 1))) {
      this.next();
      negated = true;
    }
    if (this.is('in') || this.is('in~')) {
      const kw = this.next();
      this.expect('(', "'(' after in");
      const list = [this.expr()];
      while (this.is(',')) {
        this.next();
        list.push(this.expr());
      }
      this.expect(')');
      return { type: 'in', expr: left, list, insensitive: kw.value === 'in~', negated, pos };
    }
    if ((tok.type === 'op' && (tok.value === ':' || tok.value === '!:')) || (tok.type === 'keyword' && /^(like|regex)~?$/.test(tok.value))) {
      this.next();
      const op = tok.value === '!:' ? ':' : (tok.value.replace('~', '') as ':' | 'like' | 'regex');
      const insensitive = tok.value.endsWith('~') || op === ':';
      const list = this.is('(');
      const patterns: Expr[] = [];
      if (list) {
        this.next();
        patterns.push(this.constant(tok.raw));
        while (this.is(',')) {
          this.next();
          patterns.push(this.constant(tok.raw));
        }
        this.expect(')');
      } else patterns.push(this.constant(tok.raw));
      return { type: 'match', op, insensitive, negated: tok.value === '!:', expr: left, patterns, list, pos };
    }
    return left;
  }

  private constant(op: string): Expr {
    const tok = this.peek();
    const e = this.unary();
    if (e.type !== 'literal' || (op !== ':' && op !== '!:' && typeof e.value !== 'string')) {
      this.fail(tok, `the right side of '${op}' must be a ${op.startsWith('regex') ? 'string' : 'constant'}`, 'EQL_TYPE');
    }
    if (op.startsWith('regex')) {
      try {
        luceneToRe2(e.value as string);
      } catch (err) {
        if (!(err instanceof LuceneRegexError)) throw err;
        this.fail(tok, `invalid regular expression ${tok.raw}: ${err.message}`, 'EQL_TYPE');
      }
    }
    return e;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.is('+') || this.is('-')) {
      const tok = this.next();
      left = { type: 'arith', op: tok.value as '+', left, right: this.multiplicative(), pos: this.pos(tok) };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.is('*') || this.is('/') || this.is('%')) {
      const tok = this.next();
      left = { type: 'arith', op: tok.value as '*', left, right: this.unary(), pos: this.pos(tok) };
    }
    return left;
  }

  private unary(): Expr {
    if (this.is('-') || this.is('+')) {
      const tok = this.next();
      const e = this.unary();
      if (tok.value === '+') return e;
      if (e.type === 'literal' && typeof e.value === 'number') return { ...e, value: -e.value, pos: this.pos(tok) };
      return { type: 'neg', expr: e, pos: this.pos(tok) };
    }
    return this.primary();
  }

  private primary(): Expr {
    const tok = this.next();
    const pos = this.pos(tok);
    switch (tok.type) {
      case 'string':
        return { type: 'literal', value: tok.value, pos };
      case 'number': {
        if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tok.value)) this.fail(tok, `invalid number ${tok.raw}`);
        const value = Number(tok.value);
        if (/^\d+$/.test(tok.value) && !Number.isSafeInteger(value)) this.fail(tok, `number ${tok.raw} is too large`, 'EQL_TYPE');
        return /[.eE]/.test(tok.value) ? { type: 'literal', value, pos, raw: tok.value } : { type: 'literal', value, pos };
      }
      case 'keyword':
        if (tok.value === 'true' || tok.value === 'false') return { type: 'literal', value: tok.value === 'true', pos };
        if (tok.value === 'null') return { type: 'literal', value: null, pos };
        return this.fail(tok, `unexpected ${this.describe(tok)}`);
      case 'optional_ident':
        return { type: 'field', path: splitField(tok), optional: true, pos };
      case 'tilde_ident':
      case 'ident': {
        if (!tok.quoted && UPPER_KEYWORDS.has(tok.value)) {
          this.fail(tok, `EQL keywords are lowercase: write '${tok.value.toLowerCase()}' (or \`${tok.value}\` for a field)`);
        }
        if (this.is('(') && !tok.quoted) return this.call(tok);
        if (tok.type === 'tilde_ident') this.fail(tok, `expected '(' after ${tok.raw}`);
        return { type: 'field', path: splitField(tok), optional: false, pos };
      }
      case 'punct':
        if (tok.value === '(') {
          const e = this.expr();
          this.expect(')');
          return e;
        }
        return this.fail(tok, `unexpected ${this.describe(tok)}`);
      default:
        return this.fail(tok, `unexpected ${this.describe(tok)}`);
    }
  }

  private call(name: Token): Expr {
    this.expect('(');
    const args: Expr[] = [];
    if (!this.is(')')) {
      args.push(this.expr());
      while (this.is(',')) {
        this.next();
        args.push(this.expr());
      }
    }
    this.expect(')');
    const canonical = FUNCTION_NAMES.get(name.value.toLowerCase());
    const spec = canonical ? FUNCTIONS[canonical] : undefined;
    const insensitive = name.type === 'tilde_ident';
    if (!spec) this.fail(name, `unknown function '${name.value}'`, 'EQL_FUNCTION');
    if (insensitive && !spec.caseVariant) this.fail(name, `function '${name.value}' has no case-insensitive (~) variant`, 'EQL_FUNCTION');
    if (args.length < spec.min || args.length > spec.max) {
      const want = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
      this.fail(name, `function '${name.value}' takes ${want} argument${want === '1' ? '' : 's'}, found ${args.length}`, 'EQL_FUNCTION');
    }
    return { type: 'call', name: canonical!, insensitive, args, pos: this.pos(name) };
  }
}

function splitField(tok: Token): string[] {
  return tok.value.split('.');
}

export function parseQuery(source: string): Query {
  return new Parser(tokenize(source)).query();
}

export function parseExpression(source: string): Expr {
  const p = new Parser(tokenize(source));
  return p.expr();
}
