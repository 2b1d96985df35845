// Sequence and sample stages -> matcher stages, for the batch runner and live rules alike: the one
// place `with runs=N` repeats a stage and a missing stage ![...] takes its position.

import type { Query, SequenceStage } from './ast.js';
import type { Compiler } from './compile.js';
import type { MissingStage } from './missing-events.js';
import type { MatcherStage } from './sequence-matcher.js';

type SequenceQuery = Extract<Query, { type: 'sequence' }>;
type SampleQuery = Extract<Query, { type: 'sample' }>;

interface SequenceStages {
  positive: MatcherStage[];
  /** each at the count of positive stages before it */
  missing: MissingStage[];
  until: MatcherStage | undefined;
}

function matcherStage(c: Compiler, s: SequenceStage, shared: SequenceStage['by']): MatcherStage {
  const by = [...shared, ...s.by];
  return {
    matches: c.eventQuery(s.query),
    keys: by.map((k) => c.value(k)),
    optional: by.map((k) => k.optional),
  };
}

export function sequenceStages(c: Compiler, q: SequenceQuery): SequenceStages {
  const positive: MatcherStage[] = [];
  const missing: MissingStage[] = [];
  for (const s of q.stages) {
    const st = matcherStage(c, s, q.by);
    for (let r = 0; r < s.runs; r++) {
      if (s.missing) missing.push({ position: positive.length, stage: st });
      else positive.push(st);
    }
  }
  return { positive, missing, until: q.until ? matcherStage(c, q.until, q.by) : undefined };
}

export function sampleStages(c: Compiler, q: SampleQuery): MatcherStage[] {
  return q.stages.map((s) => matcherStage(c, s, q.by));
}
