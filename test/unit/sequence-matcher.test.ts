// Streaming sequence state: most recent pending wins, strict ordering, inclusive maxspan,
// until, multi-valued keys, and the bounds (cap with eviction count, look-back expiry);
// missing-event stages and streaming samples.

import { describe, expect, it } from 'vitest';
import type { MatcherStage } from '../../src/eql/sequence-matcher.js';
import { SequenceMatcher } from '../../src/eql/sequence-matcher.js';
import { SampleMatcher } from '../../src/eql/sample-matcher.js';

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

describe('sequence matcher, missing-event stages', () => {
  const kinds = (ks: string[], missing: [number, string][]) => {
    const out: number[][] = [];
    const m = new SequenceMatcher<Ev>(ks.map(stage), undefined, 10, (x) => out.push(x.events.map((e) => e.id)), 100,
      missing.map(([position, kind]) => ({ position, stage: stage(kind) })));
    return { out, m, push: (e: Ev) => m.push(e, { ts: e.ts, tb: e.id }) };
  };
  const e = (id: number, kind: string, ts: number, k = 'x'): Ev => ({ id, kind, k, ts });

  it('a middle stage rules out the sequence its event falls inside, after it took part in matching', () => {
    const { out, m, push } = kinds(['a', 'b'], [[1, 'm']]);
    [e(1, 'a', 1), e(2, 'm', 2), e(3, 'b', 3), e(4, 'a', 4), e(5, 'm', 5, 'y'), e(6, 'b', 6)].forEach(push);
    expect(out).toEqual([[4, 6]]);
    expect(m.stats.missingRejected).toBe(1);
  });

  it('a trailing stage holds the match until maxspan passes, by event time or closeBefore', () => {
    const { out, m, push } = kinds(['a'], [[1, 'm']]);
    [e(1, 'a', 0), e(2, 'm', 10), e(3, 'a', 20), e(4, 'a', 25, 'y')].forEach(push);
    expect(out).toEqual([]);
    expect(m.pending).toBe(2);
    expect(m.nextDeadline).toBe(30);
    push(e(5, 'm', 31));
    expect(out).toEqual([[3]]);
    m.closeBefore(36);
    expect(out).toEqual([[3], [4]]);
    expect(m.stats.missingRejected).toBe(1);
    expect(m.pending).toBe(0);
  });

  it('a leading stage counts only an event before the first one, within maxspan of the last', () => {
    const { out, push } = kinds(['a', 'b'], [[0, 'm']]);
    [e(1, 'm', 0), e(2, 'a', 5), e(3, 'b', 9), e(4, 'm', 20), e(5, 'a', 22), e(6, 'b', 31)].forEach(push);
    // 1 lies within 10 of 3: ruled out; 4 lies 11 before 6: the second one matches
    expect(out).toEqual([[5, 6]]);
  });

  it('bounds the complete sequences waiting on a trailing stage: evicts the oldest and counts it', () => {
    const out: number[][] = [];
    const m = new SequenceMatcher<Ev>([stage('a')], undefined, 10, (x) => out.push(x.events.map((v) => v.id)), 3, [{ position: 1, stage: stage('m') }]);
    for (let i = 0; i < 5; i++) m.push({ id: i, kind: 'a', k: `k${i}`, ts: i }, { ts: i, tb: i });
    expect(m.pending).toBe(3);
    expect(m.stats.evictedCap).toBe(2);
    m.closeBefore(Infinity);
    expect(out).toEqual([[2], [3], [4]]);
  });
});

describe('sample matcher', () => {
  const run = (ks: string[], events: Ev[], opts: { cap?: number; expireAt?: [number, number] } = {}) => {
    const out: number[][] = [];
    const m = new SampleMatcher<Ev>(ks.map(stage), (x) => out.push(x.events.map((v) => v.id)), opts.cap);
    for (const v of events) {
      if (opts.expireAt && v.id === opts.expireAt[0]) m.expire(opts.expireAt[1]);
      m.push(v, { ts: v.ts, tb: v.id });
    }
    return { out, m };
  };

  it('takes one distinct event per stage in any order, then starts the key afresh', () => {
    const { out, m } = run(['a', 'b'], [
      { id: 1, kind: 'b', k: 'x', ts: 1 }, { id: 2, kind: 'a', k: 'y', ts: 2 }, { id: 3, kind: 'a', k: 'x', ts: 3 }, { id: 4, kind: 'a', k: 'x', ts: 4 },
    ]);
    expect(out).toEqual([[3, 1]]);
    expect(m.pending).toBe(2);
  });

  it('never uses one event for two stages', () => {
    const all: MatcherStage = { matches: () => true, keys: [(v) => (v as Ev).k], optional: [false] };
    const out: number[][] = [];
    const m = new SampleMatcher<Ev>([all, stage('a')], (x) => out.push(x.events.map((v) => v.id)));
    m.push({ id: 1, kind: 'a', k: 'x', ts: 1 }, { ts: 1, tb: 1 });
    expect(out).toEqual([]);
    m.push({ id: 2, kind: 'b', k: 'x', ts: 2 }, { ts: 2, tb: 2 });
    expect(out).toEqual([[2, 1]]);
  });

  it('forgets events older than the window and evicts the least recent key at the cap, counted', () => {
    const { out, m } = run(['a', 'b'], [{ id: 1, kind: 'a', k: 'x', ts: 1 }, { id: 2, kind: 'b', k: 'x', ts: 100 }], { expireAt: [2, 50] });
    expect(out).toEqual([]);
    expect(m.stats.expired).toBe(1);
    const capped = run(['a', 'b'], Array.from({ length: 6 }, (_, i) => ({ id: i, kind: 'a', k: `k${i}`, ts: i })), { cap: 4 });
    expect(capped.m.pending).toBe(4);
    expect(capped.m.stats.evictedCap).toBe(2);
  });
});
