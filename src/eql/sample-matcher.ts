// Streaming `sample by`: per join key, the latest events of each stage; a sample is one distinct
// event per stage, in any time order, found as soon as it exists. Bounded: events older than the
// window expire, and a cap on keys evicts the least recently touched one (counted).

import { keyTuples, type MatcherStage, type Ordinal } from './sequence-matcher.js';
import { FieldSource, type Value } from './values.js';

interface SampleMatch<E> {
  events: E[];
  joinKeys: Value[];
}

interface Held<E> {
  ev: E;
  ts: number;
}

interface KeyState<E> {
  joinKeys: Value[];
  /** per stage, at most `stages` events, oldest first: enough for a distinct pick to exist */
  slots: Held<E>[][];
}

interface SampleStats {
  evictedCap: number;
  expired: number;
}

export class SampleMatcher<E> {
  private readonly keys = new Map<string, KeyState<E>>();
  /** keys that gave a sample already, when only one per key is wanted (batch) */
  private readonly done = new Set<string>();
  readonly stats: SampleStats = { evictedCap: 0, expired: 0 };

  /** oncePerKey: a key's first sample only, as Elasticsearch's max_samples_per_key = 1 */
  constructor(
    private readonly stages: MatcherStage[],
    private readonly onMatch: (m: SampleMatch<E>) => void,
    private readonly maxKeys = 10000,
    private readonly oncePerKey = false,
  ) {}

  get pending(): number {
    return this.keys.size;
  }

  push(ev: E, ord: Ordinal): void {
    const touched = new Set<string>();
    const n = this.stages.length;
    this.stages.forEach((stage, s) => {
      if (!stage.matches(ev)) return;
      for (const t of keyTuples(stage, ev) ?? []) {
        const key = JSON.stringify(t);
        if (this.done.has(key)) continue;
        let st = this.keys.get(key);
        if (st) this.keys.delete(key);
        else {
          if (this.keys.size >= this.maxKeys) {
            this.keys.delete(this.keys.keys().next().value!);
            this.stats.evictedCap++;
          }
          st = { joinKeys: t, slots: Array.from({ length: n }, () => []) };
        }
        this.keys.set(key, st);
        const slot = st.slots[s]!;
        if (slot.length >= n) slot.shift();
        if (ev instanceof FieldSource) ev.pin();
        slot.push({ ev, ts: ord.ts });
        touched.add(key);
      }
    });
    for (const key of touched) {
      const st = this.keys.get(key)!;
      const pick = distinctPick(st.slots);
      if (!pick) continue;
      this.keys.delete(key);
      if (this.oncePerKey) this.done.add(key);
      this.onMatch({ events: pick, joinKeys: st.joinKeys });
    }
  }

  /** Drops held events older than `minTs`; returns how many. */
  expire(minTs: number): number {
    let n = 0;
    for (const [key, st] of this.keys) {
      for (const slot of st.slots) {
        let k = 0;
        while (k < slot.length && slot[k]!.ts < minTs) k++;
        if (k) slot.splice(0, k);
        n += k;
      }
      if (st.slots.every((s) => s.length === 0)) this.keys.delete(key);
    }
    this.stats.expired += n;
    return n;
  }

  release(key: string): number {
    return this.keys.delete(key) ? 1 : 0;
  }
}

/** Whether stages from..end can take distinct events none of which is in `taken` (augmenting paths). */
function matchable<E>(slots: Held<E>[][], from: number, taken: Set<E>): boolean {
  const owner = new Map<E, number>();
  const augment = (s: number, seen: Set<E>): boolean => {
    for (const h of slots[s]!) {
      if (taken.has(h.ev) || seen.has(h.ev)) continue;
      seen.add(h.ev);
      const o = owner.get(h.ev);
      if (o === undefined || augment(o, seen)) {
        owner.set(h.ev, s);
        return true;
      }
    }
    return false;
  };
  for (let s = from; s < slots.length; s++) if (!augment(s, new Set())) return false;
  return true;
}

/**
 * One distinct event per stage: stage by stage, the earliest candidate that leaves the later
 * stages a distinct pick (polynomial in the stage count); undefined if there is none.
 */
function distinctPick<E>(slots: Held<E>[][]): E[] | undefined {
  if (slots.some((s) => s.length === 0)) return undefined;
  const taken = new Set<E>();
  if (!matchable(slots, 0, taken)) return undefined;
  const out: E[] = [];
  for (let s = 0; s < slots.length; s++) {
    for (const h of slots[s]!) {
      if (taken.has(h.ev)) continue;
      taken.add(h.ev);
      if (matchable(slots, s + 1, taken)) {
        out.push(h.ev);
        break;
      }
      taken.delete(h.ev);
    }
  }
  return out;
}
