// Query AST -> canonical EQL text. Parentheses only where precedence needs them, so that
// parse(print(parse(q))) equals parse(q).

import type { EventQuery, Expr, FieldExpr, Query, SequenceStage } from './ast.js';
import { KEYWORDS } from './lexer.js';

const PREC = { or: 1, and: 2, not: 3, predicate: 4, additive: 5, multiplicative: 6, unary: 7, primary: 8 };
const IDENT = /^[A-Za-z_@][A-Za-z0-9_@]*$/;
const SEGMENT = /^[A-Za-z0-9_@]+$/;

function printString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16).padStart(2, '0')}}`;
    else out += ch;
  }
  return `${out}"`;
}

const quote = (p: string) => `\`${p.replaceAll('`', '``')}\``;

/** Backquotes only the segments that need it: a.`0 x`.b */
function printField(f: FieldExpr): string {
  const name =
    f.path.length === 1 && KEYWORDS.has(f.path[0]!)
      ? quote(f.path[0]!)
      : f.path.map((p, i) => ((i === 0 ? IDENT : SEGMENT).test(p) ? p : quote(p))).join('.');
  return (f.optional ? '?' : '') + name;
}

function wrap(text: string, prec: number, min: number): string {
  return prec < min ? `(${text})` : text;
}

function printExpr(e: Expr, min = 0): string {
  switch (e.type) {
    case 'literal': {
      const v = e.value;
      if (v === null) return 'null';
      if (typeof v === 'boolean') return String(v);
      if (typeof v === 'string') return printString(v);
      const text = e.raw !== undefined ? (v < 0 ? `-${e.raw}` : e.raw) : String(v);
      return wrap(text, v < 0 ? PREC.unary : PREC.primary, min);
    }
    case 'field':
      return printField(e);
    case 'logical': {
      const p = PREC[e.op];
      return wrap(`${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`, p, min);
    }
    case 'not':
      return wrap(`not ${printExpr(e.expr, PREC.not)}`, PREC.not, min);
    case 'compare':
      return wrap(`${printExpr(e.left, PREC.additive)} ${e.op} ${printExpr(e.right, PREC.additive)}`, PREC.predicate, min);
    case 'in': {
      const op = `${e.negated ? 'not ' : ''}in${e.insensitive ? '~' : ''}`;
      return wrap(`${printExpr(e.expr, PREC.additive)} ${op} (${e.list.map((x) => printExpr(x)).join(', ')})`, PREC.predicate, min);
    }
    case 'match': {
      const op = e.op === ':' ? (e.negated ? '!:' : ':') : `${e.op}${e.insensitive ? '~' : ''}`;
      const pats = e.patterns.map((x) => printExpr(x, PREC.unary));
      const rhs = e.list ? `(${pats.join(', ')})` : pats[0]!;
      return wrap(`${printExpr(e.expr, PREC.additive)} ${op} ${rhs}`, PREC.predicate, min);
    }
    case 'arith': {
      const p = e.op === '+' || e.op === '-' ? PREC.additive : PREC.multiplicative;
      return wrap(`${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`, p, min);
    }
    case 'neg':
      return wrap(`-${printExpr(e.expr, PREC.unary)}`, PREC.unary, min);
    case 'call':
      return `${e.name}${e.insensitive ? '~' : ''}(${e.args.map((a) => printExpr(a)).join(', ')})`;
  }
}

function printEventQuery(q: EventQuery): string {
  const cat = q.category === undefined ? 'any' : IDENT.test(q.category) && !KEYWORDS.has(q.category) ? q.category : printString(q.category);
  return `${cat} where ${printExpr(q.where)}`;
}

function printStage(s: SequenceStage): string {
  let out = `${s.missing ? '![' : '['}${printEventQuery(s.query)}]`;
  if (s.by.length) out += ` by ${s.by.map(printField).join(', ')}`;
  if (s.runs !== 1) out += ` with runs=${s.runs}`;
  return out;
}

export function printQuery(q: Query): string {
  let out: string;
  if (q.type === 'event') out = printEventQuery(q.query);
  else {
    const head: string[] = [q.type];
    if (q.by.length) head.push(`by ${q.by.map(printField).join(', ')}`);
    if (q.type === 'sequence' && q.maxspanText) head.push(`with maxspan=${q.maxspanText}`);
    out = [head.join(' '), ...q.stages.map((s) => `  ${printStage(s)}`)].join('\n');
    if (q.type === 'sequence' && q.until) out += `\nuntil ${printStage(q.until)}`;
  }
  for (const p of q.pipes) out += ` | ${p.kind} ${p.count}`;
  return out;
}
