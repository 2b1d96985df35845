// Lucene regular expressions (Elasticsearch's `regex`, every optional operator on, as its regexp
// query's default) -> RE2 syntax, matched whole-string by re2js: an automaton, never backtracking.
// What RE2 cannot express (complement ~, intersection &, named automata <id>) is refused.

import { RE2JS } from 're2js';

export class LuceneRegexError extends Error {
  constructor(
    readonly reason: string,
    /** UTF-16 offset in the pattern */
    readonly offset: number,
  ) {
    super(`${reason} at position ${offset}`);
  }
}

type Range = [number, number];
type Node =
  | { k: 'class'; ranges: Range[]; negated: boolean }
  | { k: 'any' }
  | { k: 'string'; cps: number[] }
  | { k: 'anystring' }
  | { k: 'none' }
  | { k: 'union'; alts: Node[] }
  | { k: 'concat'; items: Node[] }
  | { k: 'repeat'; e: Node; min: number; max: number /* -1: unbounded */ }
  | { k: 'interval'; min: number; max: number; digits: number };

const MAX_CP = 0x10ffff;
const RE2_MAX_REPEAT = 1000;
const INT_MAX = 2 ** 31 - 1;

const DIGIT: Range[] = [[0x30, 0x39]];
const SPACE: Range[] = [[0x09, 0x0a], [0x0d, 0x0d], [0x20, 0x20]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];

function complement(rs: Range[]): Range[] {
  const sorted = [...rs].sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [a, b] of sorted) {
    if (a > next) out.push([next, a - 1]);
    next = Math.max(next, b + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

const PREDEFINED: Record<string, Range[]> = {
  d: DIGIT, D: complement(DIGIT), s: SPACE, S: complement(SPACE), w: WORD, W: complement(WORD),
};

/** A recursive-descent parser with Lucene RegExp's productions, in its order. */
class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    if (this.src === '') return { k: 'string', cps: [] };
    const e = this.union();
    if (this.more()) throw this.error('end of pattern expected');
    return e;
  }

  private error(reason: string, at = this.pos): LuceneRegexError {
    return new LuceneRegexError(reason, at);
  }
  private more(): boolean {
    return this.pos < this.src.length;
  }
  private cp(): number {
    return this.src.codePointAt(this.pos)!;
  }
  private peek(chars: string): boolean {
    return this.more() && chars.includes(String.fromCodePoint(this.cp()));
  }
  private match(ch: string): boolean {
    if (this.more() && this.src[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }
  private next(): number {
    if (!this.more()) throw this.error('unexpected end of pattern');
    const c = this.cp();
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  private union(): Node {
    const alts = [this.inter()];
    while (this.match('|')) alts.push(this.inter());
    return alts.length === 1 ? alts[0]! : { k: 'union', alts };
  }
  private inter(): Node {
    const a = this.concat();
    if (this.peek('&')) throw this.error('intersection (&) has no linear-time equivalent; write \\& for a literal &');
    return a;
  }
  private concat(): Node {
    const items = [this.repeat()];
    while (this.more() && !this.peek(')|&')) items.push(this.repeat());
    return items.length === 1 ? items[0]! : { k: 'concat', items };
  }
  private repeat(): Node {
    let e = this.compl();
    while (this.peek('?*+{')) {
      const at = this.pos;
      if (this.match('?')) e = { k: 'repeat', e, min: 0, max: 1 };
      else if (this.match('*')) e = { k: 'repeat', e, min: 0, max: -1 };
      else if (this.match('+')) e = { k: 'repeat', e, min: 1, max: -1 };
      else {
        this.match('{');
        const n = this.integer();
        let m = n;
        if (this.match(',')) m = this.peek('0123456789') ? this.integer() : -1;
        if (!this.match('}')) throw this.error("'}' expected");
        if (n > RE2_MAX_REPEAT || m > RE2_MAX_REPEAT) throw this.error(`repeat count above ${RE2_MAX_REPEAT}`, at);
        e = { k: 'repeat', e, min: n, max: m };
      }
    }
    return e;
  }
  private integer(): number {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    if (start === this.pos) throw this.error('integer expected');
    const n = Number(this.src.slice(start, this.pos));
    if (n > INT_MAX) throw this.error('integer too large', start);
    return n;
  }
  private compl(): Node {
    if (this.peek('~')) throw this.error('complement (~) has no linear-time equivalent; write \\~ for a literal ~');
    return this.charClass();
  }
  private charClass(): Node {
    if (!this.match('[')) return this.simple();
    const negated = this.match('^');
    const ranges = [...this.classItem()];
    while (this.more() && !this.peek(']')) ranges.push(...this.classItem());
    if (!this.match(']')) throw this.error("']' expected");
    return { k: 'class', ranges, negated };
  }
  private classItem(): Range[] {
    const pre = this.predefined();
    if (pre) return pre;
    const at = this.pos;
    const c = this.charExp();
    if (!this.match('-')) return [[c, c]];
    const d = this.charExp();
    if (c > d) throw this.error('invalid range: from is above to', at);
    return [[c, d]];
  }
  /** \d \D \s \S \w \W, or an escaped backslash; consumes a lone backslash as Lucene does */
  private predefined(): Range[] | undefined {
    if (!this.match('\\')) return undefined;
    if (this.peek('dDsSwW')) return PREDEFINED[String.fromCodePoint(this.next())];
    if (this.peek('\\')) {
      const c = this.next();
      return [[c, c]];
    }
    if (this.more() && /[a-zA-Z]/.test(this.src[this.pos]!)) throw this.error(`invalid character class \\${this.src[this.pos]}`);
    return undefined;
  }
  private charExp(): number {
    this.match('\\');
    return this.next();
  }
  private simple(): Node {
    const at = this.pos;
    if (this.match('.')) return { k: 'any' };
    if (this.match('#')) return { k: 'none' };
    if (this.match('@')) return { k: 'anystring' };
    if (this.match('"')) {
      const cps: number[] = [];
      while (this.more() && !this.peek('"')) cps.push(this.next());
      if (!this.match('"')) throw this.error(`'"' expected`);
      return { k: 'string', cps };
    }
    if (this.match('(')) {
      if (this.match(')')) return { k: 'string', cps: [] };
      const e = this.union();
      if (!this.match(')')) throw this.error("')' expected");
      return e;
    }
    if (this.match('<')) {
      const end = this.src.indexOf('>', this.pos);
      if (end < 0) throw this.error("'>' expected", this.src.length);
      const body = this.src.slice(this.pos, end);
      this.pos = end + 1;
      const parts = body.split('-');
      if (parts.length === 1) throw this.error(`named automaton <${body}> is not available; write \\< for a literal <`, at);
      if (parts.length !== 2 || !/^\d+$/.test(parts[0]!) || !/^\d+$/.test(parts[1]!)) throw this.error('interval syntax error', at);
      const [lo, hi] = parts.map(Number) as [number, number];
      if (lo > INT_MAX || hi > INT_MAX) throw this.error('interval bound too large', at);
      const digits = parts[0]!.length === parts[1]!.length ? parts[0]!.length : 0;
      return { k: 'interval', min: Math.min(lo, hi), max: Math.max(lo, hi), digits };
    }
    const pre = this.predefined();
    if (pre) return { k: 'class', ranges: [...pre], negated: false };
    const c = this.charExp();
    return { k: 'string', cps: [c] };
  }
}

const hex = (c: number) => `\\x{${c.toString(16)}}`;
const lit = (c: number) => ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? String.fromCharCode(c) : hex(c));
const NOTHING = `[^${hex(0)}-${hex(MAX_CP)}]`;

/** Decimal strings of one length from a to b (same length, a <= b), e.g. 07-42. */
function fixedRange(a: string, b: string): string {
  if (a === b) return a;
  const rest = a.length - 1;
  if (/^0*$/.test(a.slice(1)) && /^9*$/.test(b.slice(1))) return `[${a[0]}-${b[0]}]${rest ? `[0-9]{${rest}}` : ''}`;
  if (a[0] === b[0]) return `${a[0]}(?:${fixedRange(a.slice(1), b.slice(1))})`;
  const parts = [`${a[0]}(?:${fixedRange(a.slice(1), '9'.repeat(rest))})`];
  if (Number(b[0]) - Number(a[0]) >= 2) parts.push(`[${Number(a[0]) + 1}-${Number(b[0]) - 1}][0-9]{${rest}}`);
  parts.push(`${b[0]}(?:${fixedRange('0'.repeat(rest), b.slice(1))})`);
  return parts.join('|');
}

/** Lucene's <min-max>: fixed width when both bounds were written with as many digits, else any leading zeros. */
function interval(min: number, max: number, digits: number): string {
  if (digits > 0) return `(?:${fixedRange(String(min).padStart(digits, '0'), String(max).padStart(digits, '0'))})`;
  const alts: string[] = [];
  for (let len = String(min).length; len <= String(max).length; len++) {
    const lo = Math.max(min, len === 1 ? 0 : 10 ** (len - 1));
    const hi = Math.min(max, 10 ** len - 1);
    alts.push(fixedRange(String(lo), String(hi)));
  }
  return `0*(?:${alts.join('|')})`;
}

function emit(n: Node): string {
  switch (n.k) {
    case 'any': return '.';
    case 'none': return NOTHING;
    case 'anystring': return '(?:.*)';
    case 'string': return n.cps.length ? n.cps.map(lit).join('') : '(?:)';
    case 'class': return `[${n.negated ? '^' : ''}${n.ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`;
    case 'union': return `(?:${n.alts.map(emit).join('|')})`;
    case 'concat': return `(?:${n.items.map(emit).join('')})`;
    case 'interval': return interval(n.min, n.max, n.digits);
    case 'repeat': {
      if (n.max >= 0 && n.min > n.max) return NOTHING;
      const q = n.min === 0 && n.max === 1 ? '?' : n.min === 0 && n.max < 0 ? '*' : n.min === 1 && n.max < 0 ? '+'
        : n.max < 0 ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
      return `(?:${emit(n.e)})${q}`;
    }
  }
}

/** RE2 syntax for a Lucene pattern; throws LuceneRegexError for what cannot be expressed. */
export function luceneToRe2(pattern: string): string {
  try {
    return emit(new Parser(pattern).parse());
  } catch (e) {
    if (e instanceof RangeError) throw new LuceneRegexError('groups nested too deeply', 0);
    throw e;
  }
}

interface RegexMatcher {
  test(value: string): boolean;
}

/** A whole-string matcher for a Lucene pattern; `insensitive` folds case as Unicode simple folding. */
export function compileLuceneRegex(pattern: string, insensitive: boolean): RegexMatcher {
  const src = luceneToRe2(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(src, RE2JS.DOTALL | (insensitive ? RE2JS.CASE_INSENSITIVE : 0));
  } catch (e) {
    throw new LuceneRegexError(`cannot compile: ${(e as Error).message}`, 0);
  }
  return { test: (v) => re.testExact(v) };
}
