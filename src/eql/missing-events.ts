// Missing-event stages `![...]` of a streaming sequence, with Elasticsearch's semantics. A middle
// stage poisons a pending sequence when its event (same key) lies between the neighbours; leading
// stages are the latest such event per key before the first one; trailing stages hold a complete
// sequence until maxspan (from its start) passes: it matches unless every edge stage was filled.

import type { MatcherStage, Ordinal } from './sequence-matcher.js';

export interface MissingStage {
  /** how many positive stages come before it */
  position: number;
  stage: MatcherStage;
}

interface Closer<M> {
  match: M;
  key: string;
  last: Ordinal;
  /** inclusive: an event at this time still fills */
  deadline: number;
  open: Set<number>;
  done: boolean;
}

/** Latest event time per key of each leading stage; entries older than the horizon go. */
export class LeadingSeen {
  private readonly seen = new Map<string, (number | undefined)[]>();
  evicted = 0;

  constructor(private readonly stages: number, private readonly cap: number) {}

  get size(): number {
    return this.seen.size;
  }

  note(key: string, k: number, ts: number): void {
    let row = this.seen.get(key);
    if (row) this.seen.delete(key);
    else {
      row = new Array<number | undefined>(this.stages).fill(undefined);
      if (this.seen.size >= this.cap) {
        this.seen.delete(this.seen.keys().next().value!);
        this.evicted++;
      }
    }
    row[k] = ts;
    this.seen.set(key, row);
  }

  get(key: string): (number | undefined)[] | undefined {
    const row = this.seen.get(key);
    return row && [...row];
  }

  expire(minTs: number): void {
    for (const [key, row] of this.seen) if (row.every((t) => t === undefined || t < minTs)) this.seen.delete(key);
  }
}

/** Complete sequences waiting for their trailing missing stages to be filled or to time out. */
export class TrailingClosers<M> {
  private readonly byKey = new Map<string, Closer<M>[]>();
  /** by deadline, ascending */
  private queue: Closer<M>[] = [];
  rejected = 0;
  evicted = 0;

  constructor(
    private readonly stages: number,
    private readonly cap: number,
    private readonly emit: (m: M) => void,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** The earliest deadline, or Infinity. */
  get next(): number {
    return this.queue[0]?.deadline ?? Infinity;
  }

  add(match: M, key: string, last: Ordinal, deadline: number): void {
    if (this.queue.length >= this.cap) {
      this.drop(this.queue.shift()!);
      this.evicted++;
    }
    const c: Closer<M> = { match, key, last, deadline, open: new Set(Array.from({ length: this.stages }, (_, k) => k)), done: false };
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.deadline > deadline) i--;
    this.queue.splice(i, 0, c);
    const list = this.byKey.get(key);
    if (list) list.push(c);
    else this.byKey.set(key, [c]);
  }

  /** An event of trailing stage k with this key: fills the closers it falls within. */
  fill(k: number, key: string, ord: Ordinal, before: (a: Ordinal, b: Ordinal) => boolean): void {
    const list = this.byKey.get(key);
    if (!list) return;
    for (const c of [...list]) {
      if (c.done || ord.ts > c.deadline || !before(c.last, ord)) continue;
      c.open.delete(k);
      if (c.open.size === 0) {
        this.rejected++;
        this.drop(c);
        this.queue.splice(this.queue.indexOf(c), 1);
      }
    }
  }

  /** Emits every closer whose deadline is before `ts` (no event at or after ts can fill it). */
  closeBefore(ts: number): void {
    let n = 0;
    while (n < this.queue.length && this.queue[n]!.deadline < ts) n++;
    if (!n) return;
    const due = this.queue.splice(0, n);
    for (const c of due) {
      this.drop(c);
      this.emit(c.match);
    }
  }

  private drop(c: Closer<M>): void {
    c.done = true;
    const list = this.byKey.get(c.key);
    if (!list) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.byKey.delete(c.key);
  }
}
