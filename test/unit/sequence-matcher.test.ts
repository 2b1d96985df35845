// Streaming sequence state: most recent pending wins, strict ordering, inclusive maxspan,
// until, multi-valued keys, and the bounds (cap with eviction count, look-back expiry).

import { describe, expect, it } from 'vitest';
import type { MatcherStage } from '../../src/eql/sequence-matcher.js';
import { SequenceMatcher } from '../../src/eql/sequence-matcher.js';

interface Ev { id: number; kind: string; k: string | string[] | null; ts: number }

const stage = (kind: string): MatcherStage => ({
  matches: (e) => (e as Ev).kind === kind,
  keys: [(e) => (e as Ev).k],
  optional: [false],
});

function run(events: Ev[], opts: { maxspan?: number; until?: string; cap?: number } = {}) {
  const out: number[][] = [];
  const m = new SequenceMatcher<Ev>([stage('a'), stage('b')], opts.until ? stage(opts.until) : undefined, opts.maxspan, (x) => out.push(x.events.map((e) => e.id)), opts.cap);
  for (const e of events) m.push(e, { ts: e.ts, tb: e.id });
  return { out, m };
}

describe('sequence matcher', () => {
  it('takes the most recent pending sequence and drops the older ones of that key', () => {
    const { out, m } = run([
      { id: 1, kind: 'a', k: 'x', ts: 1 }, { id: 2, kind: 'a', k: 'x', ts: 2 }, { id: 3, kind: 'b', k: 'x', ts: 3 }, { id: 4, kind: 'b', k: 'x', ts: 4 },
    ]);
    expect(out).toEqual([[2, 3]]);
    expect(m.pending).toBe(0);
  });

  it('keeps keys apart and never joins a null key', () => {
    const { out } = run([
      { id: 1, kind: 'a', k: 'x', ts: 1 }, { id: 2, kind: 'a', k: null, ts: 2 }, { id: 3, kind: 'b', k: 'y', ts: 3 }, { id: 4, kind: 'b', k: null, ts: 4 }, { id: 5, kind: 'b', k: 'x', ts: 5 },
    ]);
    expect(out).toEqual([[1, 5]]);
  });

  it('gives one sequence per value of a multi-valued key', () => {
    const { out } = run([{ id: 1, kind: 'a', k: ['x', 'y'], ts: 1 }, { id: 2, kind: 'b', k: 'y', ts: 2 }, { id: 3, kind: 'b', k: 'x', ts: 3 }]);
    expect(out).toEqual([[1, 2], [1, 3]]);
  });

  it('measures maxspan inclusively from the first event', () => {
    expect(run([{ id: 1, kind: 'a', k: 'x', ts: 0 }, { id: 2, kind: 'b', k: 'x', ts: 10 }], { maxspan: 10 }).out).toEqual([[1, 2]]);
    expect(run([{ id: 1, kind: 'a', k: 'x', ts: 0 }, { id: 2, kind: 'b', k: 'x', ts: 11 }], { maxspan: 10 }).out).toEqual([]);
  });

  it('lets until cancel the pending sequences of its key only', () => {
    const { out } = run([
      { id: 1, kind: 'a', k: 'x', ts: 1 }, { id: 2, kind: 'a', k: 'y', ts: 2 }, { id: 3, kind: 'u', k: 'x', ts: 3 }, { id: 4, kind: 'b', k: 'x', ts: 4 }, { id: 5, kind: 'b', k: 'y', ts: 5 },
    ], { until: 'u' });
    expect(out).toEqual([[2, 5]]);
  });

  it('bounds pending sequences: evicts the oldest and counts it', () => {
    const events: Ev[] = Array.from({ length: 10 }, (_, i) => ({ id: i, kind: 'a', k: `k${i}`, ts: i }));
    const { m } = run(events, { cap: 4 });
    expect(m.pending).toBe(4);
    expect(m.stats.evictedCap).toBe(6);
  });

  it('expires sequences older than the look-back, and releases a key on demand', () => {
    const { m } = run([{ id: 1, kind: 'a', k: 'x', ts: 1 }, { id: 2, kind: 'a', k: 'y', ts: 100 }]);
    expect(m.expire(50)).toBe(1);
    expect(m.pending).toBe(1);
    expect(m.release(JSON.stringify(['y']))).toBe(1);
    expect(m.pending).toBe(0);
  });
});
