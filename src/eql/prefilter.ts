// Rule -> cheap text prefilter for NDJSON input. For each query stage we derive clauses: sets
// of quoted string values (as JSON writes them) of which the event's text must contain at
// least one, for every clause. Sound by construction: clauses come only from exact string
// matches (==, :, in, like without wildcards); `and` keeps every child's clauses; `or` keeps
// one clause per child, merged; `not` and anything else give none. A line with a backslash
// escape is always parsed: its text may spell values differently.

import type { Expr, Query } from './ast.js';

/** Clauses (all must hold), each a set of alternatives; [] means no requirement. */
type Clauses = string[][];

const PLAIN = /^[\x20-\x7e]+$/;

function literalClause(values: unknown[]): Clauses {
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string' || !PLAIN.test(v) || /["\\*?]/.test(v)) return [];
    out.push(`"${v.toLowerCase()}"`);
  }
  return out.length ? [out] : [];
}

const literalValues = (list: Expr[]): unknown[] | undefined =>
  list.every((x) => x.type === 'literal') ? list.map((x) => (x as { value: unknown }).value) : undefined;

const strength = (c: string[]) => Math.min(...c.map((s) => s.length)) - c.length / 100;

function clauses(e: Expr): Clauses {
  switch (e.type) {
    case 'match': {
      if (e.negated || e.expr.type !== 'field' || e.op === 'regex') return [];
      const v = literalValues(e.patterns);
      return v ? literalClause(v) : [];
    }
    case 'in': {
      if (e.negated || e.expr.type !== 'field') return [];
      const v = literalValues(e.list);
      return v ? literalClause(v) : [];
    }
    case 'compare': {
      if (e.op !== '==') return [];
      const [f, l] = e.left.type === 'field' ? [e.left, e.right] : [e.right, e.left];
      return f.type === 'field' && l.type === 'literal' ? literalClause([l.value]) : [];
    }
    case 'logical': {
      const a = clauses(e.left);
      const b = clauses(e.right);
      if (e.op === 'and') return [...a, ...b];
      if (!a.length || !b.length) return [];
      const best = (c: Clauses) => c.reduce((x, y) => (strength(y) > strength(x) ? y : x));
      return [[...new Set([...best(a), ...best(b)])]];
    }
    default:
      return [];
  }
}

/** Per stage of the query (missing ones and until included), the clauses an event must satisfy to matter. */
export function queryClauses(q: Query): Clauses[] {
  if (q.type === 'event') return [clauses(q.query.where)];
  // missing-event stages too: their events decide whether a sequence matches
  const stages = [...q.stages, ...(q.type === 'sequence' && q.until ? [q.until] : [])];
  return stages.map((s) => clauses(s.query.where));
}

interface ClauseTest {
  re: RegExp;
  passed: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function holds(c: ClauseTest, line: string): boolean {
  if (!c.re.test(line)) return false;
  c.passed++;
  return true;
}

/**
 * A test over a raw NDJSON line: false only when no rule can match that event. Clauses are
 * re-ordered now and then so that the one that rejects most lines is tried first.
 */
export function linePrefilter(queries: Query[]): ((line: string) => boolean) | undefined {
  const stages = queries.flatMap(queryClauses);
  if (!stages.length || stages.some((c) => c.length === 0)) return undefined;
  const tests: ClauseTest[][] = stages.map((cs) => cs.map((alts) => ({ re: new RegExp(alts.map(escape).join('|'), 'i'), passed: 0 })));
  let seen = 0;
  return (line) => {
    if (line.includes('\\')) return true;
    if (++seen % 4096 === 0) for (const t of tests) t.sort((x, y) => x.passed - y.passed);
    return tests.some((t) => t.every((c) => holds(c, line)));
  };
}
