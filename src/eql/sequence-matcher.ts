// Streaming `sequence` matching with Elasticsearch's semantics. Events must be pushed in
// ascending (timestamp, tiebreaker) order. Per join key and stage, a new event of stage s
// takes the most recent pending sequence of stage s-1 that is strictly older, and drops it
// and every older one of that group (ES SequenceGroup.trimBefore). maxspan is inclusive and
// measured from the sequence's first event; `until` then cancels a key's pending sequences.
// Missing-event stages (missing-events.ts) are judged on the candidates this finds, as ES does.

import type { Predicate, ValueFn } from './compile.js';
import { LeadingSeen, type MissingStage, TrailingClosers } from './missing-events.js';
import { FieldSource, type Value } from './values.js';

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
  key: string;
  /** the stage whose group holds it */
  stage: number;
  /** set when it leaves its group (advanced to the end, cancelled, expired, evicted) */
  dead: boolean;
  /** a middle missing event fell between two of its events: it completes but never matches */
  poisoned?: boolean;
  /** per leading missing stage, the latest such event time before its first event */
  lead?: (number | undefined)[];
}

/** The counters a matcher moves; the agent's registry (util/counters.ts) is one (eql/ imports nothing outside it). */
export interface SequenceCounters {
  inc(name: 'sequences_maxspan_rejected' | 'sequences_until_cancelled', n?: number): void;
}

export interface MatcherStats {
  evictedCap: number;
  expired: number;
  maxspanRejected: number;
  untilCancelled: number;
  /** complete candidates a missing-event stage ruled out */
  missingRejected: number;
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
  /** every pending sequence in creation order (with dead ones, compacted now and then): O(1) eviction */
  private fifo: Pending<E>[] = [];
  private fifoHead = 0;
  private readonly statsBase: MatcherStats = { evictedCap: 0, expired: 0, maxspanRejected: 0, untilCancelled: 0, missingRejected: 0 };
  private readonly middle: MissingStage[];
  private readonly leading: MatcherStage[];
  private readonly trailing: MatcherStage[];
  private readonly leadSeen?: LeadingSeen;
  private readonly closers?: TrailingClosers<Match<E>>;

  /**
   * missing: the `![...]` stages (they need maxspan), by position among the positive ones;
   * counters: sequences_maxspan_rejected and sequences_until_cancelled move with stats
   */
  constructor(
    private readonly stages: MatcherStage[],
    private readonly until: MatcherStage | undefined,
    private readonly maxspanMs: number | undefined,
    private readonly onMatch: (m: Match<E>) => void,
    private readonly maxPending = 100000,
    missing: MissingStage[] = [],
    private readonly counters?: SequenceCounters,
  ) {
    const n = stages.length;
    this.leading = missing.filter((m) => m.position === 0).map((m) => m.stage);
    this.trailing = missing.filter((m) => m.position === n).map((m) => m.stage);
    this.middle = missing.filter((m) => m.position > 0 && m.position < n);
    if (this.leading.length) this.leadSeen = new LeadingSeen(this.leading.length, maxPending);
    if (this.trailing.length) this.closers = new TrailingClosers(this.trailing.length, maxPending, onMatch);
  }

  get stats(): MatcherStats {
    const s = this.statsBase;
    return {
      ...s,
      evictedCap: s.evictedCap + (this.leadSeen?.evicted ?? 0) + (this.closers?.evicted ?? 0),
      missingRejected: s.missingRejected + (this.closers?.rejected ?? 0),
    };
  }

  /** Pending sequences, plus complete ones waiting for a trailing missing stage's window. */
  get pending(): number {
    return this.pendingCount + (this.closers?.size ?? 0);
  }

  /** Time by which the next complete sequence closes (trailing missing stages), or Infinity. */
  get nextDeadline(): number {
    return this.closers?.next ?? Infinity;
  }

  /** No event will come before `ts`: sequences whose trailing window ended before it match. */
  closeBefore(ts: number): void {
    this.closers?.closeBefore(ts);
  }

  push(ev: E, ord: Ordinal): void {
    this.closers?.closeBefore(ord.ts);
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
    if (this.middle.length || this.leadSeen || this.closers) this.missingEvent(ev, ord);
    // after the stages: an event that is both a stage and the until may still complete one
    if (this.until && this.until.matches(ev)) {
      for (const t of keyTuples(this.until, ev) ?? []) this.cancel(JSON.stringify(t));
    }
  }

  /** After the positive stages, so that an event is never "between" its own sequence's events. */
  private missingEvent(ev: E, ord: Ordinal): void {
    for (const m of this.middle) {
      if (!m.stage.matches(ev)) continue;
      for (const t of keyTuples(m.stage, ev) ?? []) {
        for (const p of this.state.get(JSON.stringify(t))?.[m.position - 1] ?? []) {
          if (ordinalBefore(p.ordinals[p.ordinals.length - 1]!, ord)) p.poisoned = true;
        }
      }
    }
    this.leading.forEach((st, k) => {
      if (st.matches(ev)) for (const t of keyTuples(st, ev) ?? []) this.leadSeen!.note(JSON.stringify(t), k, ord.ts);
    });
    this.trailing.forEach((st, k) => {
      if (st.matches(ev)) for (const t of keyTuples(st, ev) ?? []) this.closers!.fill(k, JSON.stringify(t), ord, ordinalBefore);
    });
  }

  /** A candidate with every positive event: emitted, ruled out, or held for its trailing window. */
  private complete(p: Pending<E>): void {
    if (p.poisoned) {
      this.statsBase.missingRejected++;
      return;
    }
    if (!this.leadSeen && !this.closers) {
      this.onMatch(p);
      return;
    }
    const span = this.maxspanMs ?? 0;
    const endTs = p.ordinals[p.ordinals.length - 1]!.ts;
    let startTs = p.startTs;
    for (let k = 0; k < this.leading.length; k++) {
      const t = p.lead?.[k];
      // an edge stage left empty: the sequence matches whatever the others hold
      if (t === undefined || t < endTs - span) {
        this.onMatch(p);
        return;
      }
      startTs = Math.min(startTs, t);
    }
    if (!this.closers) {
      this.statsBase.missingRejected++;
      return;
    }
    this.closers.add(p, p.key, p.ordinals[p.ordinals.length - 1]!, startTs + span);
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
    if (ev instanceof FieldSource) ev.pin();
    const p: Pending<E> = { events: [ev], ordinals: [ord], startTs: ord.ts, joinKeys, key, stage: 0, dead: false };
    if (this.leadSeen) p.lead = this.leadSeen.get(key);
    if (last === 0) {
      this.complete(p);
      return;
    }
    if (this.pendingCount >= this.maxPending) this.evictOldest();
    this.groups(key)[0]!.push(p);
    this.pendingCount++;
    this.fifo.push(p);
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead).filter((x) => !x.dead);
      this.fifoHead = 0;
    }
  }

  private advance(key: string, s: number, ev: E, ord: Ordinal, last: number): void {
    const g = this.state.get(key);
    const group = g?.[s - 1];
    if (!group || group.length === 0) return;
    let idx = group.length - 1;
    while (idx >= 0 && !ordinalBefore(group[idx]!.ordinals[group[idx]!.ordinals.length - 1]!, ord)) idx--;
    if (idx < 0) return;
    const p = group[idx]!;
    for (let k = 0; k < idx; k++) group[k]!.dead = true;
    group.splice(0, idx + 1);
    this.pendingCount -= idx + 1;
    if (this.maxspanMs !== undefined && ord.ts - p.startTs > this.maxspanMs) {
      p.dead = true;
      this.statsBase.maxspanRejected++;
      this.counters?.inc('sequences_maxspan_rejected');
      this.cleanup(key);
      return;
    }
    if (ev instanceof FieldSource) ev.pin();
    p.events.push(ev);
    p.ordinals.push(ord);
    if (s === last) {
      p.dead = true;
      this.complete(p);
      this.cleanup(key);
    } else {
      p.stage = s;
      g![s]!.push(p);
      this.pendingCount++;
    }
  }

  /** Removes every pending sequence of a key; returns how many. */
  private dropKey(key: string): number {
    const g = this.state.get(key);
    if (!g) return 0;
    let n = 0;
    for (const group of g) {
      for (const p of group) p.dead = true;
      n += group.length;
    }
    this.pendingCount -= n;
    this.state.delete(key);
    return n;
  }

  private cancel(key: string): void {
    const n = this.dropKey(key);
    this.statsBase.untilCancelled += n;
    if (n) this.counters?.inc('sequences_until_cancelled', n);
  }

  /** Drops every pending sequence of this key (e.g. its process ended and nothing can follow). */
  release(key: string): number {
    return this.dropKey(key);
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
        while (k < group.length && group[k]!.startTs < minStartTs) group[k++]!.dead = true;
        if (k) {
          group.splice(0, k);
          n += k;
        }
      }
      this.cleanup(key);
    }
    this.pendingCount -= n;
    this.statsBase.expired += n;
    this.leadSeen?.expire(minStartTs);
    return n;
  }

  private evictOldest(): void {
    while (this.fifoHead < this.fifo.length) {
      const p = this.fifo[this.fifoHead++]!;
      if (p.dead) continue;
      const group = this.state.get(p.key)?.[p.stage];
      const i = group ? group.indexOf(p) : -1;
      if (i < 0) continue;
      group!.splice(i, 1);
      p.dead = true;
      this.pendingCount--;
      this.statsBase.evictedCap++;
      this.cleanup(p.key);
      return;
    }
  }
}
