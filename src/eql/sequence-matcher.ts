// Streaming `sequence` matching with Elasticsearch's semantics. Events must be pushed in
// ascending (timestamp, tiebreaker) order. Per join key and stage, a new event of stage s
// takes the most recent pending sequence of stage s-1 that is strictly older, and drops it
// and every older one of that group (ES SequenceGroup.trimBefore). maxspan is inclusive and
// measured from the sequence's first event; `until` then cancels a key's pending sequences.

import type { Predicate, ValueFn } from './compile.js';
import type { Value } from './values.js';

export interface Ordinal {
  ts: number;
  tb: number | string;
}

export interface MatcherStage {
  matches: Predicate;
  keys: ValueFn[];
  /** per key: true if the field is optional (?x), so a missing value keys as null */
  optional: boolean[];
}

export interface Match<E> {
  events: E[];
  ordinals: Ordinal[];
  joinKeys: Value[];
}

interface Pending<E> {
  events: E[];
  ordinals: Ordinal[];
  startTs: number;
  joinKeys: Value[];
  seq: number;
}

export interface MatcherStats {
  evictedCap: number;
  expired: number;
  maxspanRejected: number;
  untilCancelled: number;
}

export function ordinalBefore(a: Ordinal, b: Ordinal): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  return a.tb < b.tb;
}

/** Key tuples of an event for a stage: cartesian product over multi-valued keys. */
export function keyTuples(stage: MatcherStage, ev: unknown): Value[][] | undefined {
  let tuples: Value[][] = [[]];
  for (let k = 0; k < stage.keys.length; k++) {
    const v = stage.keys[k]!(ev);
    let values: Value[];
    if (v === null) {
      if (!stage.optional[k]) return undefined;
      values = [null];
    } else values = Array.isArray(v) ? v : [v];
    if (values.length === 1) {
      for (const t of tuples) t.push(values[0]!);
    } else {
      tuples = tuples.flatMap((t) => values.map((x) => [...t, x]));
    }
  }
  return tuples;
}

export class SequenceMatcher<E> {
  /** key -> per stage (0 .. n-2) pending sequences, oldest first */
  private readonly state = new Map<string, Pending<E>[][]>();
  private pendingCount = 0;
  private seq = 0;
  readonly stats: MatcherStats = { evictedCap: 0, expired: 0, maxspanRejected: 0, untilCancelled: 0 };

  constructor(
    private readonly stages: MatcherStage[],
    private readonly until: MatcherStage | undefined,
    private readonly maxspanMs: number | undefined,
    private readonly onMatch: (m: Match<E>) => void,
    private readonly maxPending = 100000,
  ) {}

  get pending(): number {
    return this.pendingCount;
  }

  push(ev: E, ord: Ordinal): void {
    const last = this.stages.length - 1;
    for (let s = last; s >= 0; s--) {
      const stage = this.stages[s]!;
      if (!stage.matches(ev)) continue;
      const tuples = keyTuples(stage, ev);
      if (!tuples) continue;
      for (const t of tuples) {
        const key = JSON.stringify(t);
        if (s === 0) this.start(key, t, ev, ord, last);
        else this.advance(key, s, ev, ord, last);
      }
    }
    // after the stages: an event that is both a stage and the until may still complete one
    if (this.until && this.until.matches(ev)) {
      for (const t of keyTuples(this.until, ev) ?? []) this.cancel(JSON.stringify(t));
    }
  }

  private groups(key: string): Pending<E>[][] {
    let g = this.state.get(key);
    if (!g) {
      g = Array.from({ length: Math.max(1, this.stages.length - 1) }, () => []);
      this.state.set(key, g);
    }
    return g;
  }

  private start(key: string, joinKeys: Value[], ev: E, ord: Ordinal, last: number): void {
    const p: Pending<E> = { events: [ev], ordinals: [ord], startTs: ord.ts, joinKeys, seq: ++this.seq };
    if (last === 0) {
      this.onMatch(p);
      return;
    }
    if (this.pendingCount >= this.maxPending) this.evictOldest();
    this.groups(key)[0]!.push(p);
    this.pendingCount++;
  }

  private advance(key: string, s: number, ev: E, ord: Ordinal, last: number): void {
    const g = this.state.get(key);
    const group = g?.[s - 1];
    if (!group || group.length === 0) return;
    let idx = group.length - 1;
    while (idx >= 0 && !ordinalBefore(group[idx]!.ordinals[group[idx]!.ordinals.length - 1]!, ord)) idx--;
    if (idx < 0) return;
    const p = group[idx]!;
    group.splice(0, idx + 1);
    this.pendingCount -= idx + 1;
    if (this.maxspanMs !== undefined && ord.ts - p.startTs > this.maxspanMs) {
      this.stats.maxspanRejected++;
      this.cleanup(key);
      return;
    }
    p.events.push(ev);
    p.ordinals.push(ord);
    if (s === last) {
      this.onMatch(p);
      this.cleanup(key);
    } else {
      g![s]!.push(p);
      this.pendingCount++;
    }
  }

  private cancel(key: string): void {
    const g = this.state.get(key);
    if (!g) return;
    for (const group of g) {
      this.stats.untilCancelled += group.length;
      this.pendingCount -= group.length;
    }
    this.state.delete(key);
  }

  /** Drops every pending sequence of this key (e.g. its process ended and nothing can follow). */
  release(key: string): number {
    const g = this.state.get(key);
    if (!g) return 0;
    const n = g.reduce((a, group) => a + group.length, 0);
    this.pendingCount -= n;
    this.state.delete(key);
    return n;
  }

  private cleanup(key: string): void {
    const g = this.state.get(key);
    if (g && g.every((group) => group.length === 0)) this.state.delete(key);
  }

  /** Drops pending sequences that started before `minStartTs` (look-back or maxspan passed). */
  expire(minStartTs: number): number {
    let n = 0;
    for (const [key, g] of this.state) {
      for (const group of g) {
        let k = 0;
        while (k < group.length && group[k]!.startTs < minStartTs) k++;
        if (k) {
          group.splice(0, k);
          n += k;
        }
      }
      this.cleanup(key);
    }
    this.pendingCount -= n;
    this.stats.expired += n;
    return n;
  }

  private evictOldest(): void {
    let oldest: { key: string; stage: number; seq: number } | undefined;
    for (const [key, g] of this.state) {
      g.forEach((group, stage) => {
        const p = group[0];
        if (p && (!oldest || p.seq < oldest.seq)) oldest = { key, stage, seq: p.seq };
      });
    }
    if (!oldest) return;
    this.state.get(oldest.key)![oldest.stage]!.shift();
    this.pendingCount--;
    this.stats.evictedCap++;
    this.cleanup(oldest.key);
  }
}
