// Comparison of runtime values with Elasticsearch's rules: multi-valued fields match if any
// value does, a missing value never matches (except == null), == is case-sensitive.

import type { FieldType } from './field-types.js';
import type { Scalar, Value } from './values.js';

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';

function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [main, pre] = v.split(/-(.*)/s) as [string, string | undefined];
    return { parts: main.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const p = x.parts[i] ?? 0;
    const q = y.parts[i] ?? 0;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

function dateMs(v: Scalar): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isNaN(n) ? undefined : n;
}

/** -1/0/1, or undefined when the two cannot be compared. */
export function order(a: Scalar, b: Scalar, type: FieldType | undefined): number | undefined {
  if (a === null || b === null) return undefined;
  if (type === 'date') {
    const x = dateMs(a);
    const y = dateMs(b);
    return x === undefined || y === undefined ? undefined : x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    if (type === 'version') return Math.sign(compareVersions(a, b));
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (type === 'long' || type === 'double') {
    const x = typeof a === 'string' ? Number(a) : a;
    const y = typeof b === 'string' ? Number(b) : b;
    if (typeof x === 'number' && typeof y === 'number' && !Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  }
  return undefined;
}

function test(op: Op, c: number): boolean {
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

const list = (v: Value): Scalar[] => (v === null ? [] : Array.isArray(v) ? v : [v]);

export function compareValues(op: Op, left: Value, right: Value, type: FieldType | undefined): boolean {
  const l = list(left);
  const r = list(right);
  if (op === '==' && (right === null || left === null)) return l.length === 0 && r.length === 0;
  if (op === '!=') {
    if (right === null) return l.length > 0;
    if (l.length === 0) return false;
    return !l.some((a) => r.some((b) => order(a, b, type) === 0));
  }
  return l.some((a) => r.some((b) => {
    const c = order(a, b, type);
    return c !== undefined && test(op, c);
  }));
}

export function equalsInsensitive(a: Scalar, b: Scalar, type: FieldType | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || a.toLowerCase() === b.toLowerCase();
  return order(a, b, type) === 0;
}
