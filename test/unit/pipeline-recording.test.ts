// The whole pipeline without root: a checked-in bpftrace recording (test/fixtures/pipeline/, made
// by record.mjs) through src/pipeline with a fixed host, agent, boot id, clock and user names;
// the ECS events and alerts must equal the expected files. UPDATE_FIXTURES=1 rewrites them.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlertLog } from '../../src/alerts/alert-log.js';
import { Detector } from '../../src/detect/detector.js';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import type { AgentDoc, HostDoc } from '../../src/host/host-metadata.js';
import { UserNames } from '../../src/host/user-names.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ProcessTable } from '../../src/process/process-table.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { Clock } from '../../src/util/clock.js';
import { Counters } from '../../src/util/counters.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { REPO } from '../helpers/paths.js';

const DIR = `${REPO}/test/fixtures/pipeline`;
const HOST: HostDoc = {
  name: 'fixture-host', hostname: 'fixture-host', id: '0123456789abcdef0123456789abcdef', architecture: 'x86_64',
  os: { type: 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '13', full: 'Debian GNU/Linux 13 (trixie)', kernel: '6.18.0-fixture', platform: 'debian' },
};
const AGENT: AgentDoc = { type: 'nightjar', name: 'fixture-host', version: '0.0.0-fixture', id: 'a9e7c0de-0000-4000-8000-000000000001', ephemeral_id: 'e9e7c0de-0000-4000-8000-000000000002' };
// monotonic 0 and boot both at 2026-01-01T00:00:00Z: @timestamp is that plus the recorded ts
const EPOCH = Date.UTC(2026, 0, 1);

const ndjson = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);
const expected = (name: string) => ndjson(readFileSync(`${DIR}/${name}`, 'utf8'));

/** Only event.created of an alert is not a function of the recording: it is the wall clock at detection. */
function normalizeAlert(a: EcsDoc): EcsDoc {
  return { ...a, event: { ...(a.event as object), created: '<created>' } };
}

async function run(): Promise<{ events: EcsDoc[]; alerts: EcsDoc[]; counters: Counters }> {
  const counters = new Counters();
  const dir = mkdtempSync(`${tmpdir()}/nightjar-pipeline-`);
  const alertLog = new AlertLog(`${dir}/alerts.ndjson`, { maxBytes: 1 << 30, keep: 1 });
  const { rules } = await loadRules([`${REPO}/rules`]);
  const detector = new Detector(rules, [], alertLog, counters);
  const events: EcsDoc[] = [];
  const pipeline = new Pipeline({
    table: new ProcessTable(counters), host: HOST, agent: AGENT, bootId: 'fixture-boot-id', clock: new Clock('/nonexistent', { monoToWallMs: EPOCH, bootWallMs: EPOCH }),
    counters, names: new UserNames(`${DIR}/host-root`), detector, sinks: [(doc) => events.push(structuredClone(doc))],
  });
  // one line per ms, released as the live feed would: each event once its 15 ms window has passed
  const lines = readFileSync(`${DIR}/recording.jsonl`, 'utf8').split('\n');
  let now = EPOCH;
  for (const line of lines) {
    pipeline.line(line, ++now);
    pipeline.tick(now);
  }
  pipeline.flush(now);
  detector.stop();
  alertLog.close();
  return { events, alerts: ndjson(readFileSync(`${dir}/alerts.ndjson`, 'utf8')).map(normalizeAlert), counters };
}

describe('pipeline on a recorded bpftrace run', () => {
  it('turns the recording into exactly the expected ECS events and alerts', async () => {
    const { events, alerts, counters } = await run();
    if (process.env.UPDATE_FIXTURES === '1') {
      writeFileSync(`${DIR}/expected-events.ndjson`, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      writeFileSync(`${DIR}/expected-alerts.ndjson`, alerts.map((a) => `${JSON.stringify(a)}\n`).join(''));
    }
    expect(events).toEqual(expected('expected-events.ndjson'));
    expect(alerts).toEqual(expected('expected-alerts.ndjson'));
    expect(counters.get('probe_lines_malformed')).toBe(0);
    expect(counters.get('events_late')).toBe(0);
  });

  it('emits only valid ECS fields and one netcat alert on the listener', async () => {
    const { events, alerts } = await run();
    for (const e of events) expect(ecsProblems(e)).toEqual([]);
    expect(alerts.map((a) => [(a.rule as { name: string }).name, (a.process as { args: string[] }).args])).toEqual([
      ['File Transfer or Listener Established via Netcat', ['nc', '-l', '-p', '47123']],
    ]);
  });
});
