// A parsed query -> its live plan, compiled when a rule loads: predicates, stages and the streaming
// matcher it runs in. Everything a live rule can be refused for is found here (EqlError with line:col).

import type { Query } from './ast.js';
import { Compiler, type Predicate } from './compile.js';
import { EqlError } from './errors.js';
import { sampleStages, sequenceStages } from './query-stages.js';
import { SampleMatcher } from './sample-matcher.js';
import { type Ordinal, SequenceMatcher, type SequenceCounters } from './sequence-matcher.js';

/** One rule's running state: what the engine drives. */
export interface LiveMatcher<E> {
  push(ev: E, ord: Ordinal): void;
  /** drops held state that started before minTs; returns how many */
  expire(minTs: number): number;
  release(key: string): number;
  readonly pending: number;
  /** evicted at the cap, so far */
  readonly evicted: number;
  /** sequences with trailing missing stages: the earliest time one closes (else Infinity) */
  readonly nextDeadline: number;
  closeBefore(ts: number): void;
}

export interface LivePlan {
  kind: Query['type'];
  /** undefined: any category */
  categories: string[] | undefined;
  /** maxspan, when the query has one */
  maxspanMs: number | undefined;
  /** a sequence ending in a missing stage: its matches wait for maxspan to pass */
  closes: boolean;
  /** counters: sequences rejected by maxspan or cancelled by until are counted there */
  create<E>(onMatch: (events: E[]) => void, maxPending: number, counters?: SequenceCounters): LiveMatcher<E>;
}

function categoriesOf(cats: (string | undefined)[]): string[] | undefined {
  return cats.includes(undefined) ? undefined : [...new Set(cats as string[])];
}

export function compileLive(q: Query): LivePlan {
  if (q.pipes.length) {
    // head/tail pick among one search's results; a stream has no end to count back from
    const p = q.pipes[0]!;
    throw new EqlError('EQL_LIVE', `pipes (| ${p.kind}) cannot run in a live rule; use max_signals to bound alerts`, p.pos.line, p.pos.col);
  }
  const c = new Compiler({ categoryField: 'event.category' });
  if (q.type === 'event') {
    const match: Predicate = c.eventQuery(q.query);
    return {
      kind: 'event', categories: categoriesOf([q.query.category]), maxspanMs: undefined, closes: false,
      create: <E>(onMatch: (events: E[]) => void) => ({
        push: (ev: E) => {
          if (match(ev)) onMatch([ev]);
        },
        expire: () => 0, release: () => 0, pending: 0, evicted: 0, nextDeadline: Infinity, closeBefore: () => {},
      }),
    };
  }
  if (q.type === 'sample') {
    const stages = sampleStages(c, q);
    return {
      kind: 'sample', categories: categoriesOf(q.stages.map((s) => s.query.category)), maxspanMs: undefined, closes: false,
      create: <E>(onMatch: (events: E[]) => void, maxPending: number) => {
        return asLive(new SampleMatcher<E>(stages, (x) => onMatch(x.events), maxPending));
      },
    };
  }
  const { positive, missing, until } = sequenceStages(c, q);
  const all = [...q.stages, ...(q.until ? [q.until] : [])];
  return {
    kind: 'sequence', categories: categoriesOf(all.map((s) => s.query.category)), maxspanMs: q.maxspanMs, closes: q.stages.at(-1)!.missing,
    create: <E>(onMatch: (events: E[]) => void, maxPending: number, counters?: SequenceCounters) =>
      asLive(new SequenceMatcher<E>(positive, until, q.maxspanMs, (x) => onMatch(x.events), maxPending, missing, counters)),
  };
}

/** A sample or sequence matcher as the rule engine drives it; samples have no deadlines. */
function asLive<E>(m: SampleMatcher<E> | SequenceMatcher<E>): LiveMatcher<E> {
  return {
    push: (ev, ord) => m.push(ev, ord),
    expire: (t) => m.expire(t),
    release: (k) => m.release(k),
    get pending() { return m.pending; },
    get evicted() { return m.stats.evictedCap; },
    get nextDeadline() { return m instanceof SequenceMatcher ? m.nextDeadline : Infinity; },
    closeBefore: (t) => {
      if (m instanceof SequenceMatcher) m.closeBefore(t);
    },
  };
}
