// EQL wildcard patterns (* any run, ? one code point, no escaping) -> a linear-time matcher, cached.
// No RegExp: the pattern is split at `*` into segments found in order, leftmost first; the first is
// anchored at the start, the last at the end. Worst case O(value x pattern), never backtracking.

import { foldString } from './case-fold.js';

interface WildcardMatcher {
  test(value: string): boolean;
}

/** Work done by every matcher (characters compared or scanned); read by the bounds test. */
export const wildcardSteps = { count: 0 };

const ANY = -1;
type Segment = { text: string; cps: number[]; hasAny: boolean };

function segment(cps: number[]): Segment {
  const hasAny = cps.includes(ANY);
  return { cps, hasAny, text: hasAny ? '' : String.fromCodePoint(...cps) };
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i)!;
    out.push(c);
    i += c > 0xffff ? 2 : 1;
  }
  return out;
}

/** Segment `seg` at code point `at` of `v`; every element is one comparison. */
function matchAt(v: number[], at: number, seg: number[]): boolean {
  let i = 0;
  for (; i < seg.length; i++) {
    const p = seg[i]!;
    if (p !== ANY && p !== v[at + i]) break;
  }
  wildcardSteps.count += i + 1;
  return i === seg.length;
}

/** Leftmost start >= from where seg matches, or -1: O((v - from) x seg). */
function find(v: number[], from: number, seg: number[]): number {
  for (let at = from; at + seg.length <= v.length; at++) if (matchAt(v, at, seg)) return at;
  return -1;
}

class Matcher implements WildcardMatcher {
  private readonly segs: Segment[];
  private readonly star: boolean;
  private readonly atStart: boolean;
  private readonly atEnd: boolean;
  /** well-formed, no `?`: UTF-16 search finds the same code point matches, natively */
  private readonly plain: boolean;

  constructor(pattern: string, private readonly ci: boolean) {
    const src = ci ? foldString(pattern) : pattern;
    const parts: number[][] = [[]];
    for (const c of codePoints(src)) {
      if (c === 0x2a) parts.push([]);
      else parts[parts.length - 1]!.push(c === 0x3f ? ANY : c);
    }
    this.star = parts.length > 1;
    this.atStart = parts[0]!.length > 0;
    this.atEnd = parts[parts.length - 1]!.length > 0;
    this.segs = parts.filter((p, i) => p.length > 0 || (!this.star && i === 0)).map(segment);
    this.plain = this.segs.every((s) => !s.hasAny && !s.cps.some((c) => c >= 0xd800 && c <= 0xdfff));
  }

  test(value: string): boolean {
    const v = this.ci ? foldString(value) : value;
    return this.plain ? this.testUnits(v) : this.testCodePoints(codePoints(v));
  }

  private testUnits(v: string): boolean {
    const segs = this.segs;
    wildcardSteps.count += 1;
    if (!this.star) return v === segs[0]!.text;
    let lo = 0;
    let hi = v.length;
    let first = 0;
    let last = segs.length;
    if (this.atStart) {
      const t = segs[first++]!.text;
      wildcardSteps.count += t.length;
      if (!v.startsWith(t)) return false;
      lo = t.length;
    }
    if (this.atEnd && last > first) {
      const t = segs[--last]!.text;
      wildcardSteps.count += t.length;
      if (hi - t.length < lo || !v.endsWith(t)) return false;
      hi -= t.length;
    }
    for (let k = first; k < last; k++) {
      const t = segs[k]!.text;
      const at = v.indexOf(t, lo);
      wildcardSteps.count += (at < 0 ? v.length - lo : at - lo) + t.length;
      if (at < 0 || at + t.length > hi) return false;
      lo = at + t.length;
    }
    return true;
  }

  private testCodePoints(v: number[]): boolean {
    const segs = this.segs;
    wildcardSteps.count += 1;
    if (!this.star) return v.length === segs[0]!.cps.length && matchAt(v, 0, segs[0]!.cps);
    let lo = 0;
    let hi = v.length;
    let first = 0;
    let last = segs.length;
    if (this.atStart) {
      const s = segs[first++]!.cps;
      if (s.length > v.length || !matchAt(v, 0, s)) return false;
      lo = s.length;
    }
    if (this.atEnd && last > first) {
      const s = segs[--last]!.cps;
      if (hi - s.length < lo || !matchAt(v, hi - s.length, s)) return false;
      hi -= s.length;
    }
    for (let k = first; k < last; k++) {
      const s = segs[k]!.cps;
      const at = find(v, lo, s);
      if (at < 0 || at + s.length > hi) return false;
      lo = at + s.length;
    }
    return true;
  }
}

const cache = new Map<string, WildcardMatcher>();

export function compileWildcard(pattern: string, insensitive: boolean): WildcardMatcher {
  const key = `${insensitive ? 'i' : 's'}${pattern}`;
  let m = cache.get(key);
  if (!m) {
    m = new Matcher(pattern, insensitive);
    if (cache.size > 10000) cache.clear();
    cache.set(key, m);
  }
  return m;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
