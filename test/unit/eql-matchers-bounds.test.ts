// Hostile patterns and values cannot make matching backtrack: the wildcard matcher's own step
// count stays within c x value x pattern, and cases that take hours to a backtracking engine finish.

import { describe, expect, it } from 'vitest';
import { Compiler } from '../../src/eql/compile.js';
import { parseExpression } from '../../src/eql/parser.js';
import { compileWildcard, wildcardSteps } from '../../src/eql/wildcard.js';

const steps = (pattern: string, ci: boolean, value: string): number => {
  const m = compileWildcard(pattern, ci);
  const before = wildcardSteps.count;
  m.test(value);
  return wildcardSteps.count - before;
};

const HOSTILE: [pattern: string, value: (n: number) => string][] = [
  ['*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', (n) => 'a'.repeat(n)],
  ['*import*pty*spawn*', (n) => 'importpty'.repeat(Math.ceil(n / 9)).slice(0, n)],
  ['*a?a?a?a?a?a?b*', (n) => 'a'.repeat(n)],
  ['*aaaaaaaaaaaaaaaaaaab*', (n) => 'a'.repeat(n)],
  ['*?*?*?*?*?*?*?*?*?*?*x', (n) => '\u{1f600}a'.repeat(n / 2)],
  ['*\u00df*\u017f*K*b', (n) => 'SS\u1e9es\u212a'.repeat(n / 5)],
];

describe('wildcard matching is linear in the value', () => {
  for (const [pattern, value] of HOSTILE) {
    for (const ci of [false, true]) {
      it(`${pattern} (${ci ? 'insensitive' : 'case-sensitive'}): steps <= 4 x value x pattern, x16 value -> <= x20 steps`, () => {
        const m = [...pattern].length;
        const small = value(1024);
        const large = value(16384);
        const s1 = steps(pattern, ci, small);
        const s16 = steps(pattern, ci, large);
        expect(s1).toBeGreaterThan(0);
        expect(s1).toBeLessThanOrEqual(4 * (small.length + 1) * (m + 1));
        expect(s16).toBeLessThanOrEqual(4 * (large.length + 1) * (m + 1));
        expect(s16).toBeLessThanOrEqual(20 * Math.max(s1, m));
      });
    }
  }
});

describe('cases exponential or quadratic to a backtracking engine finish', () => {
  const match = (expr: string, doc: unknown) => new Compiler().predicate(parseExpression(expr))(doc);

  it(': with 30 stars against 100,000 a characters (hours if it backtracked)', () => {
    const stars = `${'*a'.repeat(30)}*b`;
    const doc = { process: { command_line: 'a'.repeat(100_000) } };
    expect(match(`process.command_line : "${stars}"`, doc)).toBe(false);
    expect(match(`process.command_line like "${stars}"`, doc)).toBe(false);
    expect(match(`process.command_line : "${stars.slice(0, -1)}"`, doc)).toBe(true);
  });

  it('regex with nested quantifiers against 100,000 a characters', () => {
    const doc = { process: { command_line: 'a'.repeat(100_000) } };
    expect(match('process.command_line regex "(a+)+b"', doc)).toBe(false);
    expect(match('process.command_line regex "(a|aa)*c"', doc)).toBe(false);
    expect(match('process.command_line regex~ "(A*)*"', doc)).toBe(true);
  });

  it("Elastic's curl|wget rule regex against a crafted 256 KiB argument", () => {
    const re = '".*[A-Za-z0-9][A-Za-z0-9\\\\-]*(\\\\.[A-Za-z0-9][A-Za-z0-9\\\\-]*)+(:[0-9]{1,5})?\\\\/[^ ]+.*"';
    const doc = { process: { command_line: 'a.'.repeat(128 * 1024) } };
    expect(match(`process.command_line regex ${re}`, doc)).toBe(false);
    expect(match(`process.command_line regex ${re}`, { process: { command_line: `curl ${'a.'.repeat(1000)}b/x` } })).toBe(true);
  });
});
