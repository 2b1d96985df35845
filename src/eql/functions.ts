// EQL functions: name -> arity and implementation. `ci` is the `~` (case-insensitive) variant.
// Nulls propagate: a function of a missing value is null (and so never matches).

import { cidrContains } from './ip.js';
import type { Value } from './values.js';

interface FunctionSpec {
  min: number;
  max: number;
  /** may be written with ~ */
  caseVariant: boolean;
  fn: (args: Value[], ci: boolean) => Value;
}

const str = (v: Value): string | null => (typeof v === 'string' ? v : null);
const num = (v: Value): number | null => (typeof v === 'number' ? v : null);
const lower = (s: string, ci: boolean) => (ci ? s.toLowerCase() : s);

function arith(op: (a: number, b: number) => number, intOp?: (a: number, b: number) => number) {
  return (args: Value[]): Value => {
    const a = num(args[0] ?? null);
    const b = num(args[1] ?? null);
    if (a === null || b === null) return null;
    if (intOp && Number.isInteger(a) && Number.isInteger(b)) return intOp(a, b);
    return op(a, b);
  };
}

/** Integer division when both operands are integers (by type, not by value: 4.0 is a double). */
export function divideValues(a: number, b: number, integer: boolean): number | null {
  if (b === 0) return null;
  return integer ? Math.trunc(a / b) : a / b;
}

export function moduloValues(a: number, b: number): number | null {
  if (b === 0) return null;
  return a % b;
}

/** A two-string predicate; the ~ variant compares lowercased. */
function stringTest(test: (s: string, x: string) => boolean): FunctionSpec {
  return {
    min: 2, max: 2, caseVariant: true,
    fn: ([a, b], ci) => {
      const s = str(a ?? null);
      const x = str(b ?? null);
      return s === null || x === null ? null : test(lower(s, ci), lower(x, ci));
    },
  };
}

/** Python-style slice bounds, as EQL's substring. */
function slice(s: string, start: number, end: number | undefined): string {
  const len = s.length;
  const norm = (i: number) => (i < 0 ? Math.max(0, len + i) : Math.min(i, len));
  const a = norm(start);
  const b = end === undefined ? len : norm(end);
  return b > a ? s.slice(a, b) : '';
}

function stringOf(v: Value): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

export const FUNCTIONS: Record<string, FunctionSpec> = {
  add: { min: 2, max: 2, caseVariant: false, fn: arith((a, b) => a + b) },
  subtract: { min: 2, max: 2, caseVariant: false, fn: arith((a, b) => a - b) },
  multiply: { min: 2, max: 2, caseVariant: false, fn: arith((a, b) => a * b) },
  divide: {
    // the compiler passes a third, hidden argument: whether both operands are integers by type
    min: 2, max: 2, caseVariant: false,
    fn: ([a, b, integer]) => (typeof a === 'number' && typeof b === 'number' ? divideValues(a, b, integer === true) : null),
  },
  modulo: {
    min: 2, max: 2, caseVariant: false,
    fn: ([a, b]) => (typeof a === 'number' && typeof b === 'number' ? moduloValues(a, b) : null),
  },
  between: {
    min: 3, max: 4, caseVariant: true,
    fn: ([s0, l0, r0, g0], ci) => {
      const s = str(s0 ?? null);
      const left = str(l0 ?? null);
      const right = str(r0 ?? null);
      if (s === null || left === null || right === null) return null;
      const greedy = g0 === true;
      const hay = lower(s, ci);
      const li = hay.indexOf(lower(left, ci));
      if (li < 0) return '';
      const from = li + left.length;
      const ri = greedy ? hay.lastIndexOf(lower(right, ci)) : hay.indexOf(lower(right, ci), from);
      if (ri < from) return '';
      return s.slice(from, ri);
    },
  },
  cidrMatch: {
    min: 2, max: Infinity, caseVariant: false,
    fn: ([ip, ...cidrs]) => {
      if (typeof ip !== 'string') return null;
      return cidrs.some((c) => typeof c === 'string' && cidrContains(c, ip));
    },
  },
  concat: {
    min: 1, max: Infinity, caseVariant: false,
    fn: (args) => {
      let out = '';
      for (const a of args) {
        const s = stringOf(a);
        if (s === null) return null;
        out += s;
      }
      return out;
    },
  },
  endsWith: stringTest((s, x) => s.endsWith(x)),
  startsWith: stringTest((s, x) => s.startsWith(x)),
  stringContains: stringTest((s, x) => s.includes(x)),
  indexOf: {
    min: 2, max: 3, caseVariant: true,
    fn: ([a, b, c], ci) => {
      const s = str(a ?? null);
      const x = str(b ?? null);
      if (s === null || x === null) return null;
      const from = c === undefined || c === null ? 0 : num(c);
      if (from === null) return null;
      const i = lower(s, ci).indexOf(lower(x, ci), Math.max(0, from));
      return i < 0 ? null : i;
    },
  },
  length: {
    min: 1, max: 1, caseVariant: false,
    fn: ([a]) => (typeof a === 'string' ? a.length : null),
  },
  number: {
    min: 1, max: 2, caseVariant: false,
    fn: ([a, b]) => {
      const s = str(a ?? null);
      if (s === null) return typeof a === 'number' ? a : null;
      const base = b === undefined || b === null ? 10 : num(b);
      if (base === null) return null;
      if (base === 10) {
        const t = s.trim();
        return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : null;
      }
      const t = base === 16 ? s.replace(/^0x/i, '') : s;
      const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
      if (!t || ![...t.toLowerCase()].every((ch) => digits.includes(ch))) return null;
      return Number.parseInt(t, base);
    },
  },
  string: { min: 1, max: 1, caseVariant: false, fn: ([a]) => stringOf(a ?? null) },
  substring: {
    min: 2, max: 3, caseVariant: false,
    fn: ([a, b, c]) => {
      const s = str(a ?? null);
      const start = num(b ?? null);
      if (s === null || start === null) return null;
      const end = c === undefined || c === null ? undefined : num(c);
      return end === null ? null : slice(s, start, end);
    },
  },
};
