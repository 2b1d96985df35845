// Elastic-shaped exception items -> one predicate over an alert's events. An item matches an
// event when all its entries do (AND); an alert is excepted when any item (its rule's or a
// global one) matches any of its events (OR), as Elastic filters excepted events out of an
// EQL rule's source data.

import type { ExceptionItemDoc } from '../config/config-schema.js';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { compileWildcard, readField, type Scalar } from '../eql/index.js';

type EventTest = (ev: EcsDoc) => boolean;

function entryTest(e: ExceptionItemDoc['entries'][number]): EventTest {
  const path = e.field.split('.');
  const values = (ev: EcsDoc): Scalar[] => {
    const v = readField(ev, path);
    return v === null ? [] : Array.isArray(v) ? v : [v];
  };
  let test: EventTest;
  switch (e.type) {
    case 'exists':
      test = (ev) => values(ev).length > 0;
      break;
    case 'match':
      test = (ev) => values(ev).some((v) => String(v) === e.value);
      break;
    case 'match_any': {
      const set = new Set(e.value as string[]);
      test = (ev) => values(ev).some((v) => set.has(String(v)));
      break;
    }
    case 'wildcard': {
      const res = (Array.isArray(e.value) ? e.value : [e.value!]).map((p) => compileWildcard(p, false));
      test = (ev) => values(ev).some((v) => res.some((re) => re.test(String(v))));
      break;
    }
  }
  return e.operator === 'excluded' ? (ev) => !test(ev) : test;
}

export class Exceptions {
  private readonly byRule = new Map<string, EventTest[]>();
  private readonly global: EventTest[] = [];

  constructor(items: ExceptionItemDoc[]) {
    for (const item of items) {
      const tests = item.entries.map(entryTest);
      const t: EventTest = (ev) => tests.every((x) => x(ev));
      if (item.rule_id === undefined) this.global.push(t);
      else this.byRule.set(item.rule_id, [...(this.byRule.get(item.rule_id) ?? []), t]);
    }
  }

  excepted(ruleId: string, events: EcsDoc[]): boolean {
    const tests = [...this.global, ...(this.byRule.get(ruleId) ?? [])];
    return tests.length > 0 && events.some((ev) => tests.some((t) => t(ev)));
  }
}
