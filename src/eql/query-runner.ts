// A parsed Query compiled for batch use over events already in (timestamp, tiebreaker)
// order: event queries, sequences (runs, missing events, until), samples and head/tail pipes.

import type { Query } from './ast.js';
import { Compiler, type CompileOptions, type Predicate } from './compile.js';
import { SampleMatcher } from './sample-matcher.js';
import type { MissingStage } from './missing-events.js';
import { sampleStages, sequenceStages } from './query-stages.js';
import { type Match, type MatcherStage, type Ordinal, ordinalBefore, SequenceMatcher } from './sequence-matcher.js';
import type { Value } from './values.js';

interface SequenceResult<E> {
  /** null where a missing-event stage sits */
  events: (E | null)[];
  joinKeys: Value[];
}

type QueryResult<E> = { kind: 'events'; events: E[] } | { kind: 'sequences'; sequences: SequenceResult<E>[] };

export class CompiledQuery<E> {
  private readonly filter?: Predicate;
  private readonly positive: MatcherStage[] = [];
  private readonly missing: MissingStage[] = [];
  private readonly until?: MatcherStage;

  constructor(readonly query: Query, opts: CompileOptions = {}) {
    const c = new Compiler(opts);
    if (query.type === 'event') this.filter = c.eventQuery(query.query);
    else if (query.type === 'sequence') {
      const st = sequenceStages(c, query);
      this.positive = st.positive;
      this.missing = st.missing;
      this.until = st.until;
    }
    else this.positive = sampleStages(c, query);
  }

  run(events: E[], ordinal: (e: E) => Ordinal, size = Infinity): QueryResult<E> {
    const q = this.query;
    if (this.filter) {
      const filter = this.filter;
      let hits = events.filter((e) => filter(e));
      hits = applyPipes(hits, q.pipes);
      return { kind: 'events', events: hits.slice(0, size) };
    }
    if (q.type === 'sample') {
      const samples: SequenceResult<E>[] = [];
      const matcher = new SampleMatcher<E>(this.positive, (m) => samples.push(m), Infinity, true);
      for (const e of events) matcher.push(e, ordinal(e));
      samples.sort((a, b) => compareKeys(a.joinKeys, b.joinKeys));
      return { kind: 'sequences', sequences: applyPipes(samples, q.pipes).slice(0, size) };
    }
    const matches: Match<E>[] = [];
    const maxspan = q.type === 'sequence' ? q.maxspanMs : undefined;
    const matcher = new SequenceMatcher<E>(this.positive, this.until, maxspan, (m) => matches.push(m), Infinity, this.missing);
    for (const e of events) matcher.push(e, ordinal(e));
    // the input ends: trailing missing stages that were not filled by now never will be
    matcher.closeBefore(Infinity);
    let sequences = matches
      .sort((a, b) => compareOrdinals(a.ordinals[a.ordinals.length - 1]!, b.ordinals[b.ordinals.length - 1]!))
      .map((m) => this.withMissingSlots(m));
    sequences = applyPipes(sequences, q.pipes);
    return { kind: 'sequences', sequences: sequences.slice(0, size) };
  }

  private withMissingSlots(m: Match<E>): SequenceResult<E> {
    const out: (E | null)[] = [];
    let mi = 0;
    for (let p = 0; p <= m.events.length; p++) {
      while (mi < this.missing.length && this.missing[mi]!.position === p) {
        out.push(null);
        mi++;
      }
      if (p < m.events.length) out.push(m.events[p]!);
    }
    return { events: out, joinKeys: m.joinKeys };
  }
}

/** Sequences are listed in completion order: by their last event. */
function compareOrdinals(a: Ordinal, b: Ordinal): number {
  return ordinalBefore(a, b) ? -1 : ordinalBefore(b, a) ? 1 : 0;
}

/** Samples are listed by join key, ascending, null first. */
function compareKeys(a: Value[], b: Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

function applyPipes<T>(items: T[], pipes: Query['pipes']): T[] {
  let out = items;
  for (const p of pipes) out = p.kind === 'head' ? out.slice(0, p.count) : p.count === 0 ? [] : out.slice(-p.count);
  return out;
}
