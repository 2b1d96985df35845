// Expression AST -> closures, once per query. Nothing walks the AST per event.

import type { EventQuery, Expr } from './ast.js';
import { compareValues, equalsInsensitive, order } from './compare.js';
import { EqlError } from './errors.js';
import { DYNAMIC_FIELDS, type FieldCatalog, type FieldType } from './field-types.js';
import { divideValues, FUNCTIONS, moduloValues } from './functions.js';
import { cidrContains } from './ip.js';
import { FieldSource, type Scalar, type Value, readField } from './values.js';
import { compileLuceneRegex, LuceneRegexError } from './lucene-regex.js';
import { compileWildcard, hasWildcard } from './wildcard.js';

type Doc = unknown;
export type ValueFn = (ev: Doc) => Value;
export type Predicate = (ev: Doc) => boolean;

export interface CompileOptions {
  fields?: FieldCatalog;
  /** field holding the event category (ECS: event.category; an array matches if any value does) */
  categoryField?: string;
}

type NumKind = 'int' | 'float' | 'dyn';

const list = (v: Value): Scalar[] => (v === null ? [] : Array.isArray(v) ? v : [v]);
const first = (v: Value): Scalar => (Array.isArray(v) ? (v[0] ?? null) : v);

function hasExplicitNull(ev: Doc, path: string[]): boolean {
  let o: unknown = ev instanceof FieldSource ? ev.doc() : ev;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof o !== 'object' || o === null) return false;
    o = (o as Record<string, unknown>)[path[i]!];
  }
  if (typeof o !== 'object' || o === null) return false;
  const rec = o as Record<string, unknown>;
  const leaf = path[path.length - 1]!;
  return Object.hasOwn(rec, leaf) && rec[leaf] === null;
}

export class Compiler {
  private readonly fields: FieldCatalog;
  constructor(private readonly opts: CompileOptions = {}) {
    this.fields = opts.fields ?? DYNAMIC_FIELDS;
  }

  private typeOf(e: Expr): FieldType | undefined {
    if (e.type !== 'field') return undefined;
    return this.fields.lookup(e.path.join('.'))?.type;
  }

  /** Static numeric kind: EQL divides integers integrally, and 4.0 is a double. */
  private numKind(e: Expr): NumKind {
    switch (e.type) {
      case 'literal':
        return typeof e.value === 'number' ? (e.raw ? 'float' : 'int') : 'dyn';
      case 'field': {
        const t = this.typeOf(e);
        return t === 'long' ? 'int' : t === 'double' ? 'float' : 'dyn';
      }
      case 'neg':
        return this.numKind(e.expr);
      case 'arith':
        return this.combine(this.numKind(e.left), this.numKind(e.right));
      case 'call':
        return ['add', 'subtract', 'multiply', 'divide', 'modulo'].includes(e.name)
          ? this.combine(this.numKind(e.args[0]!), this.numKind(e.args[1]!))
          : 'dyn';
      default:
        return 'dyn';
    }
  }

  private combine(a: NumKind, b: NumKind): NumKind {
    return a === 'float' || b === 'float' ? 'float' : a === 'int' && b === 'int' ? 'int' : 'dyn';
  }

  private integral(a: Expr, b: Expr): (x: number, y: number) => boolean {
    const k = this.combine(this.numKind(a), this.numKind(b));
    if (k === 'float') return () => false;
    if (k === 'int') return () => true;
    return (x, y) => Number.isInteger(x) && Number.isInteger(y);
  }

  value(e: Expr): ValueFn {
    switch (e.type) {
      case 'literal': {
        const v = e.value;
        return () => v;
      }
      case 'field': {
        const name = e.path.join('.');
        const info = this.fields.lookup(name);
        if (!info && !e.optional) throw new EqlError('EQL_FIELD', `unknown field [${name}]`, e.pos.line, e.pos.col);
        const path = e.path;
        const nullValue = info?.nullValue;
        // a mapping's null_value stands for an explicit null; a missing field stays missing
        if (nullValue !== undefined) return (ev) => readField(ev, path) ?? (hasExplicitNull(ev, path) ? nullValue : null);
        return (ev) => readField(ev, path);
      }
      case 'arith': {
        const l = this.value(e.left);
        const r = this.value(e.right);
        const op = e.op;
        const integral = this.integral(e.left, e.right);
        return (ev) => {
          const a = first(l(ev));
          const b = first(r(ev));
          if (typeof a !== 'number' || typeof b !== 'number') return null;
          switch (op) {
            case '+': return a + b;
            case '-': return a - b;
            case '*': return a * b;
            case '/': return divideValues(a, b, integral(a, b));
            case '%': return moduloValues(a, b);
          }
        };
      }
      case 'neg': {
        const inner = this.value(e.expr);
        return (ev) => {
          const v = first(inner(ev));
          return typeof v === 'number' ? -v : null;
        };
      }
      case 'call': {
        const spec = FUNCTIONS[e.name]!;
        const args = e.args.map((a) => this.value(a));
        const ci = e.insensitive;
        if (e.name === 'cidrMatch') {
          const ip = args[0]!;
          const cidrs = e.args.slice(1).map((a) => (a.type === 'literal' ? a.value : null));
          if (cidrs.some((c) => typeof c !== 'string')) {
            throw new EqlError('EQL_TYPE', 'cidrMatch takes constant CIDR strings', e.pos.line, e.pos.col);
          }
          return (ev) => {
            const ips = list(ip(ev));
            if (!ips.length) return null;
            return ips.some((x) => typeof x === 'string' && cidrs.some((c) => cidrContains(c as string, x)));
          };
        }
        if (e.name === 'divide') {
          // the table's divide takes a third argument: whether both operands are integers by type
          const integral = this.integral(e.args[0]!, e.args[1]!);
          const [a, b] = args as [ValueFn, ValueFn];
          return (ev) => {
            const x = first(a(ev));
            const y = first(b(ev));
            return spec.fn([x, y, typeof x === 'number' && typeof y === 'number' && integral(x, y)], ci);
          };
        }
        return (ev) => spec.fn(args.map((a) => first(a(ev))), ci);
      }
      case 'compare': {
        // in value position a comparison with a missing operand is null, not false
        const l = this.value(e.left);
        const r = this.value(e.right);
        const type = this.typeOf(e.left) ?? this.typeOf(e.right);
        const op = e.op;
        return (ev) => {
          const a = l(ev);
          const b = r(ev);
          return a === null || b === null ? null : compareValues(op, a, b, type);
        };
      }
      default: {
        const p = this.predicate(e);
        return (ev) => p(ev);
      }
    }
  }

  predicate(e: Expr): Predicate {
    switch (e.type) {
      case 'logical': {
        const l = this.predicate(e.left);
        const r = this.predicate(e.right);
        return e.op === 'and' ? (ev) => l(ev) && r(ev) : (ev) => l(ev) || r(ev);
      }
      case 'not': {
        const inner = this.predicate(e.expr);
        return (ev) => !inner(ev);
      }
      case 'compare': {
        const l = this.value(e.left);
        const r = this.value(e.right);
        const type = this.typeOf(e.left) ?? this.typeOf(e.right);
        const op = e.op;
        return (ev) => compareValues(op, l(ev), r(ev), type);
      }
      case 'in': {
        const l = this.value(e.expr);
        const items = e.list.map((x) => this.value(x));
        const type = this.typeOf(e.expr);
        const ci = e.insensitive;
        const allConst = e.list.every((x) => x.type === 'literal');
        let test: Predicate;
        if (allConst && !ci) {
          const set = new Set(e.list.map((x) => (x as { value: Scalar }).value));
          test = (ev) => list(l(ev)).some((v) => set.has(v));
        } else {
          test = (ev) => {
            const vs = list(l(ev));
            if (!vs.length) return false;
            return items.some((item) => list(item(ev)).some((b) => vs.some((a) => (ci ? equalsInsensitive(a, b, type) : order(a, b, type) === 0))));
          };
        }
        return e.negated ? (ev) => !test(ev) : test;
      }
      case 'match': {
        const l = this.value(e.expr);
        const type = this.typeOf(e.expr);
        const matchers = e.patterns.map((p) => this.matcher(e.op, p as Extract<Expr, { type: 'literal' }>, e.insensitive, type));
        const test: Predicate = (ev) => {
          const vs = list(l(ev));
          return vs.some((v) => matchers.some((m) => m(v)));
        };
        return e.negated ? (ev) => !test(ev) : test;
      }
      default: {
        const v = this.value(e);
        return (ev) => list(v(ev)).some((x) => x === true);
      }
    }
  }

  private matcher(op: ':' | 'like' | 'regex', lit: Extract<Expr, { type: 'literal' }>, ci: boolean, type: FieldType | undefined): (v: Scalar) => boolean {
    const pattern = lit.value;
    if (op === 'regex') {
      let re: { test(v: string): boolean };
      try {
        re = compileLuceneRegex(pattern as string, ci);
      } catch (err) {
        if (!(err instanceof LuceneRegexError)) throw err;
        throw new EqlError('EQL_TYPE', `invalid regular expression: ${err.message}`, lit.pos.line, lit.pos.col);
      }
      return (v) => typeof v === 'string' && re.test(v);
    }
    if (typeof pattern !== 'string') return (v) => order(v, pattern, type) === 0;
    if (op === ':' && type === 'ip') return (v) => typeof v === 'string' && (v === pattern || cidrContains(pattern, v));
    if (!hasWildcard(pattern)) {
      if (!ci) return (v) => v === pattern;
      const lower = pattern.toLowerCase();
      // lower-casing never shortens a string: a longer value cannot be equal (no 4 KiB copy)
      return (v) => typeof v === 'string' && (v === pattern || (v.length <= lower.length && v.toLowerCase() === lower));
    }
    const m = compileWildcard(pattern, ci);
    return (v) => typeof v === 'string' && m.test(v);
  }

  /** `category where expr` -> predicate over whole events. */
  eventQuery(q: EventQuery): Predicate {
    const filter = this.predicate(q.where);
    if (q.category === undefined) return filter;
    const cat = q.category;
    const path = (this.opts.categoryField ?? 'event.category').split('.');
    return (ev) => {
      const c = readField(ev, path);
      return (Array.isArray(c) ? c.includes(cat) : c === cat) && filter(ev);
    };
  }
}
