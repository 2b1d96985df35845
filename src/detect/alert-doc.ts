// A rule match -> ECS alert document, in the shape Elastic Security's "External Alerts" rule
// reads: event.kind alert, rule.*, threat.*, and the triggering event's context at the top.

import { createHash } from 'node:crypto';
import type { EcsDoc } from '../ecs/ecs-event.js';
import type { LoadedRule } from '../rules/load-rules.js';

const SEVERITY_SCORE: Record<string, number> = { low: 21, medium: 47, high: 73, critical: 99 };
const CONTEXT = ['process', 'user', 'group', 'container', 'orchestrator', 'host', 'source', 'destination', 'network', 'agent', 'ecs'];

function eventId(e: EcsDoc): string {
  const ev = e.event as { id?: unknown } | undefined;
  return typeof ev?.id === 'string' ? ev.id : createHash('sha256').update(JSON.stringify(e)).digest('hex').slice(0, 16);
}

function threat(rule: LoadedRule['rule']): Record<string, unknown> | undefined {
  const t = rule.threat;
  if (!t.length) return undefined;
  const techniques = t.flatMap((x) => x.technique ?? []);
  const subs = techniques.flatMap((x) => x.subtechnique ?? []);
  const out: Record<string, unknown> = {
    framework: t[0]!.framework,
    tactic: { id: t.map((x) => x.tactic.id), name: t.map((x) => x.tactic.name), reference: t.flatMap((x) => x.tactic.reference ?? []) },
  };
  if (techniques.length) {
    const technique: Record<string, unknown> = {
      id: techniques.map((x) => x.id), name: techniques.map((x) => x.name), reference: techniques.flatMap((x) => x.reference ?? []),
    };
    if (subs.length) technique.subtechnique = { id: subs.map((x) => x.id), name: subs.map((x) => x.name), reference: subs.flatMap((x) => x.reference ?? []) };
    out.technique = technique;
  }
  return out;
}

export function alertDoc(loaded: LoadedRule, events: EcsDoc[]): EcsDoc {
  const rule = loaded.rule;
  const trigger = events[events.length - 1]!;
  const ids = events.map(eventId);
  const id = createHash('sha256').update(`${rule.rule_id}\n${ids.join('\n')}`).digest('hex').slice(0, 32);
  const commandLine = (trigger.process as { command_line?: string } | undefined)?.command_line;
  const doc: EcsDoc = {
    '@timestamp': trigger['@timestamp'],
    event: {
      kind: 'alert', id, created: new Date().toISOString(), severity: SEVERITY_SCORE[rule.severity],
      risk_score: rule.risk_score, module: 'nightjar', dataset: 'nightjar.alert',
      category: (trigger.event as { category?: unknown }).category, type: (trigger.event as { type?: unknown }).type,
    },
    message: commandLine ? `${rule.name}: ${commandLine}` : rule.name,
    rule: {
      id: rule.rule_id, uuid: rule.rule_id, name: rule.name, description: rule.description.trim(),
      version: String(rule.version), author: rule.author, ruleset: 'nightjar', category: 'eql',
      ...(rule.license ? { license: rule.license } : {}),
      ...(rule.references.length ? { reference: rule.references.join(' ') } : {}),
    },
    tags: rule.tags,
  };
  const t = threat(rule);
  if (t) doc.threat = t;
  for (const k of CONTEXT) if (trigger[k] !== undefined) doc[k] = trigger[k];
  doc.nightjar = {
    ...(trigger.nightjar as Record<string, unknown> | undefined),
    alert: { severity: rule.severity, event_ids: ids, ...(events.length > 1 ? { events } : {}) },
  };
  return doc;
}
