// The live detection stage: ECS events -> rule engine -> exceptions -> throttle -> alert log.
// Pending sequences keyed on a process are released when that process ends.

import { createHash } from 'node:crypto';
import type { AlertLog } from '../alerts/alert-log.js';
import type { ExceptionItemDoc } from '../config/config-schema.js';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { FieldSource, readField } from '../eql/index.js';
import type { LoadedRule } from '../rules/load-rules.js';
import type { Counters } from '../util/counters.js';
import { alertDoc } from './alert-doc.js';
import { Exceptions } from './exceptions.js';
import { type Detection, RuleEngine, type RuleInput } from './rule-engine.js';

const ACTION = ['event', 'action'];
const ENTITY_ID = ['process', 'entity_id'];
import { type SuppressedWindow, Throttle } from './throttle.js';

function suppressedDoc(s: SuppressedWindow): EcsDoc {
  return {
    '@timestamp': new Date(s.end).toISOString(),
    event: {
      id: createHash('sha256').update(`suppressed\n${s.ruleId}\n${s.start}`).digest('hex').slice(0, 32),
      kind: 'metric', module: 'nightjar', dataset: 'nightjar.suppressed', action: 'alerts_suppressed',
      start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(),
    },
    message: `${s.suppressed} alert(s) of rule "${s.ruleName}" suppressed: max_signals ${s.allowed} per interval reached`,
    rule: { id: s.ruleId, name: s.ruleName },
    nightjar: { suppressed: { count: s.suppressed, allowed: s.allowed } },
  };
}

export class Detector {
  private readonly engine: RuleEngine;
  private readonly exceptions: Exceptions;
  private readonly throttle: Throttle;
  private evictedReported = 0;

  constructor(
    rules: LoadedRule[],
    exceptionItems: ExceptionItemDoc[],
    private readonly log: AlertLog,
    private readonly counters: Counters,
  ) {
    this.engine = new RuleEngine(rules, (d) => this.detected(d), { counters });
    this.exceptions = new Exceptions(exceptionItems);
    this.throttle = new Throttle((s) => {
      this.counters.inc('alerts_suppressed_reported', s.suppressed);
      this.log.append(suppressedDoc(s));
    });
  }

  private detected(d: Detection): void {
    const rule = d.rule.rule;
    this.counters.inc('alerts_matched', { rule: rule.rule_id });
    const events = d.events.map((e) => (e instanceof FieldSource ? (e.doc() as EcsDoc) : e));
    if (this.exceptions.excepted(rule.rule_id, events)) {
      this.counters.inc('alerts_excepted');
      return;
    }
    if (!this.throttle.admit(rule.rule_id, rule.name, rule.max_signals, d.rule.intervalMs, Date.now())) {
      this.counters.inc('alerts_suppressed');
      return;
    }
    this.log.append(alertDoc(d.rule, events));
  }

  /** wallMs: the ms the pipeline formatted @timestamp from; documents alone omit it (then parsed) */
  onEvent(ev: RuleInput, wallMs?: number): void {
    this.engine.push(ev, wallMs);
    if (readField(ev, ACTION) === 'end') {
      const entity = readField(ev, ENTITY_ID);
      if (typeof entity === 'string') {
        const n = this.engine.release([entity]);
        if (n) this.counters.inc('sequences_released', n);
      }
    }
  }

  /** Periodic: missing-stage windows that ended, look-back expiry, evictions at the per-rule cap, throttle windows. */
  tick(nowMs: number): void {
    this.engine.closeDue(nowMs);
    const expired = this.engine.expire(nowMs);
    if (expired) this.counters.inc('sequences_expired', expired);
    const { evicted } = this.engine.stats();
    if (evicted > this.evictedReported) this.counters.inc('sequences_evicted', evicted - this.evictedReported);
    this.evictedReported = evicted;
    this.throttle.sweep(nowMs);
  }

  pendingSequences(): number {
    return this.engine.pendingSequences();
  }

  stop(): void {
    this.throttle.sweep(Date.now(), true);
    this.log.flush();
  }
}
