// Live rule evaluation: rules arrive compiled (rule.live, built when they loaded), indexed by
// event category; event queries match per event, sequences and samples run in bounded
// streaming matchers per rule. Events must arrive in order (@timestamp, event.sequence).

import type { EcsDoc } from '../ecs/ecs-event.js';
import { FieldSource, type LiveMatcher, ordinalOf } from '../eql/index.js';
import type { LoadedRule } from '../rules/load-rules.js';
import type { Counters } from '../util/counters.js';

/** A document, or a live event that builds its document on demand (ecs/live-event.ts). */
export type RuleInput = EcsDoc | FieldSource;

export interface Detection<E extends RuleInput = RuleInput> {
  rule: LoadedRule;
  events: E[];
}

const CATEGORY = ['event', 'category'];

interface CompiledRule<E> {
  matcher: LiveMatcher<E>;
  /** held state older than this many ms is dropped */
  horizonMs: number;
}

/**
 * Complete sequences waiting out a trailing missing stage close by event time; when no event
 * comes, by wall clock this long after their window (events may still be in the pipeline).
 */
const CLOSE_GRACE_MS = 5000;
/** pending sequences (or sample keys) per rule; over it the oldest are evicted (sequences_evicted) */
const MAX_PENDING_PER_RULE = 10000;

interface RuleEngineOptions {
  /** the expiry done while events are pushed moves sequences_expired here */
  counters?: Counters;
}

export class RuleEngine<E extends RuleInput = RuleInput> {
  private readonly byCategory = new Map<string, CompiledRule<E>[]>();
  private readonly anyCategory: CompiledRule<E>[] = [];
  private readonly all: CompiledRule<E>[] = [];
  /** rules whose sequences end in a missing stage: closed as time passes */
  private readonly closing: CompiledRule<E>[] = [];
  private n = 0;
  private latestTs = 0;
  private readonly counters: Counters | undefined;

  constructor(
    rules: LoadedRule[],
    private readonly onDetection: (d: Detection<E>) => void,
    { counters }: RuleEngineOptions = {},
  ) {
    this.counters = counters;
    for (const rule of rules) {
      const live = rule.live;
      const c: CompiledRule<E> = {
        matcher: live.create<E>((events) => this.onDetection({ rule, events }), MAX_PENDING_PER_RULE, counters),
        // a sample's window and a sequence without maxspan: the rule's look-back
        horizonMs: live.kind === 'event' ? 0 : (live.maxspanMs ?? rule.lookbackMs),
      };
      this.all.push(c);
      if (live.closes) this.closing.push(c);
      if (!live.categories) this.anyCategory.push(c);
      else for (const cat of live.categories) this.byCategory.set(cat, [...(this.byCategory.get(cat) ?? []), c]);
    }
  }

  push(ev: E, tsMs?: number): void {
    const ord = ordinalOf(ev, ++this.n, tsMs);
    // event time drives look-back expiry, so replayed and live streams are bounded alike
    if (ord.ts > this.latestTs) this.latestTs = ord.ts;
    if (this.n % 1024 === 0) {
      const expired = this.expire(this.latestTs);
      if (expired) this.counters?.inc('sequences_expired', expired);
    }
    for (const r of this.closing) if (r.matcher.nextDeadline < ord.ts) r.matcher.closeBefore(ord.ts);
    const cats = ev instanceof FieldSource ? ev.read(CATEGORY) : (ev.event as { category?: unknown } | undefined)?.category;
    const list = Array.isArray(cats) ? cats : typeof cats === 'string' ? [cats] : [];
    const seen = list.length > 1 ? new Set<CompiledRule<E>>() : undefined;
    for (const cat of list) {
      for (const r of this.byCategory.get(cat as string) ?? []) {
        if (seen) {
          if (seen.has(r)) continue;
          seen.add(r);
        }
        r.matcher.push(ev, ord);
      }
    }
    for (const r of this.anyCategory) r.matcher.push(ev, ord);
  }

  /** Drops held state past its rule's maxspan or look-back; returns how many. */
  expire(nowMs: number): number {
    let n = 0;
    for (const r of this.all) if (r.horizonMs) n += r.matcher.expire(nowMs - r.horizonMs);
    return n;
  }

  /** Wall clock, when events are sparse: sequences whose missing-stage window ended match. */
  closeDue(nowMs: number): void {
    for (const r of this.closing) r.matcher.closeBefore(nowMs - CLOSE_GRACE_MS);
  }

  /** The input has ended (replay): every sequence still waiting on a missing stage matches. */
  finish(): void {
    for (const r of this.closing) r.matcher.closeBefore(Infinity);
  }

  /** Drops pending sequences keyed on this value (a process entity that ended). */
  release(key: unknown[]): number {
    if (!this.all.some((r) => r.matcher.pending)) return 0;
    let n = 0;
    const k = JSON.stringify(key);
    for (const r of this.all) n += r.matcher.release(k);
    return n;
  }

  pendingSequences(): number {
    return this.all.reduce((n, r) => n + r.matcher.pending, 0);
  }

  /** Running totals over all rules. */
  stats(): { evicted: number } {
    return { evicted: this.all.reduce((n, r) => n + r.matcher.evicted, 0) };
  }
}
