// Live rule evaluation: rules compiled once, indexed by event category; event queries match
// per event, sequences run in a bounded streaming matcher per rule. Events must arrive in
// order (@timestamp, event.sequence).

import type { EcsDoc } from '../ecs/ecs-event.js';
import { Compiler, type Predicate } from '../eql/compile.js';
import { matcherStage } from '../eql/query-runner.js';
import { type Ordinal, SequenceMatcher } from '../eql/sequence-matcher.js';
import type { LoadedRule } from '../rules/load-rules.js';

export interface Detection {
  rule: LoadedRule;
  events: EcsDoc[];
}

interface CompiledRule {
  rule: LoadedRule;
  /** undefined: matches any category */
  categories: string[] | undefined;
  push(ev: EcsDoc, ord: Ordinal): void;
  matcher?: SequenceMatcher<EcsDoc>;
  /** pending sequences older than this many ms are dropped */
  horizonMs: number;
}

export class RuleEngineError extends Error {}

/** tsMs: @timestamp as epoch ms when the caller has it (the live agent), saving a re-parse. */
export function ordinalOf(ev: EcsDoc, fallback: number, tsMs?: number): Ordinal {
  const ts = tsMs ?? Date.parse(String(ev['@timestamp']));
  const seq = (ev.event as { sequence?: unknown } | undefined)?.sequence;
  return { ts: Number.isNaN(ts) ? 0 : ts, tb: typeof seq === 'number' ? seq : fallback };
}

export class RuleEngine {
  private readonly byCategory = new Map<string, CompiledRule[]>();
  private readonly anyCategory: CompiledRule[] = [];
  private readonly all: CompiledRule[] = [];
  private n = 0;
  private latestTs = 0;

  constructor(
    rules: LoadedRule[],
    private readonly onDetection: (d: Detection) => void,
    maxPendingPerRule = 10000,
  ) {
    const compiler = new Compiler({ categoryField: 'event.category' });
    for (const rule of rules) {
      const c = this.compile(compiler, rule, maxPendingPerRule);
      this.all.push(c);
      if (!c.categories) this.anyCategory.push(c);
      else for (const cat of c.categories) this.byCategory.set(cat, [...(this.byCategory.get(cat) ?? []), c]);
    }
  }

  private compile(compiler: Compiler, rule: LoadedRule, maxPending: number): CompiledRule {
    const q = rule.query;
    if (q.type === 'event') {
      const match: Predicate = compiler.eventQuery(q.query);
      return {
        rule, categories: q.query.category === undefined ? undefined : [q.query.category], horizonMs: 0,
        push: (ev) => {
          if (match(ev)) this.onDetection({ rule, events: [ev] });
        },
      };
    }
    if (q.type !== 'sequence') throw new RuleEngineError(`${rule.file}: sample queries cannot run as live rules`);
    if (q.stages.some((s) => s.missing)) throw new RuleEngineError(`${rule.file}: missing-event stages ![...] are not supported in live rules yet`);
    if (q.pipes.length) throw new RuleEngineError(`${rule.file}: pipes are not supported in live rules`);
    const stages = q.stages.flatMap((s) => Array.from({ length: s.runs }, () => matcherStage(compiler, s, q.by)));
    const until = q.until ? matcherStage(compiler, q.until, q.by) : undefined;
    const matcher = new SequenceMatcher<EcsDoc>(stages, until, q.maxspanMs, (m) => this.onDetection({ rule, events: m.events }), maxPending);
    const cats = [...q.stages, ...(q.until ? [q.until] : [])].map((s) => s.query.category);
    return {
      rule, matcher, categories: cats.includes(undefined) ? undefined : [...new Set(cats as string[])],
      horizonMs: q.maxspanMs ?? rule.lookbackMs,
      push: (ev, ord) => matcher.push(ev, ord),
    };
  }

  push(ev: EcsDoc, tsMs?: number): void {
    const ord = ordinalOf(ev, ++this.n, tsMs);
    // event time drives look-back expiry, so replayed and live streams are bounded alike
    if (ord.ts > this.latestTs) this.latestTs = ord.ts;
    if (this.n % 1024 === 0) this.expire(this.latestTs);
    const cats = (ev.event as { category?: unknown } | undefined)?.category;
    const list = Array.isArray(cats) ? cats : typeof cats === 'string' ? [cats] : [];
    const seen = list.length > 1 ? new Set<CompiledRule>() : undefined;
    for (const cat of list) {
      for (const r of this.byCategory.get(cat as string) ?? []) {
        if (seen) {
          if (seen.has(r)) continue;
          seen.add(r);
        }
        r.push(ev, ord);
      }
    }
    for (const r of this.anyCategory) r.push(ev, ord);
  }

  /** Drops pending sequences past their rule's maxspan or look-back; returns how many. */
  expire(nowMs: number): number {
    let n = 0;
    for (const r of this.all) if (r.matcher) n += r.matcher.expire(nowMs - r.horizonMs);
    return n;
  }

  /** Drops pending sequences keyed on this value (a process entity that ended). */
  release(key: unknown[]): number {
    let n = 0;
    const k = JSON.stringify(key);
    for (const r of this.all) if (r.matcher) n += r.matcher.release(k);
    return n;
  }

  pendingSequences(): number {
    return this.all.reduce((n, r) => n + (r.matcher?.pending ?? 0), 0);
  }

  /** Running totals over all rules. */
  stats(): { evicted: number } {
    return { evicted: this.all.reduce((n, r) => n + (r.matcher?.stats.evictedCap ?? 0), 0) };
  }
}
