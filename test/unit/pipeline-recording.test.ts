// The whole pipeline without root: a checked-in bpftrace recording (test/fixtures/pipeline/, made
// by record.mjs) through src/pipeline with a fixed host, agent, boot id, clock and user names;
// the ECS events and alerts must equal the expected files. UPDATE_FIXTURES=1 rewrites them.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlertLog } from '../../src/alerts/alert-log.js';
import { Detector } from '../../src/detect/detector.js';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { Counters } from '../../src/util/counters.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { REPO } from '../helpers/paths.js';
import { FIXTURE_DIR, ndjson, normalizeAlert, replayFixture } from '../helpers/pipeline-fixture.js';

const expected = (name: string) => ndjson(readFileSync(`${FIXTURE_DIR}/${name}`, 'utf8'));

async function run(): Promise<{ events: EcsDoc[]; alerts: EcsDoc[]; counters: Counters }> {
  const counters = new Counters();
  const dir = mkdtempSync(`${tmpdir()}/nightjar-pipeline-`);
  const alertLog = new AlertLog(`${dir}/alerts.ndjson`, { maxBytes: 1 << 30, keep: 1 });
  const { rules } = await loadRules([`${REPO}/rules`]);
  const detector = new Detector(rules, [], alertLog, counters);
  const events: EcsDoc[] = [];
  replayFixture({ counters, detector, sinks: [(doc) => events.push(structuredClone(doc))] });
  detector.stop();
  alertLog.close();
  return { events, alerts: ndjson(readFileSync(`${dir}/alerts.ndjson`, 'utf8')).map(normalizeAlert), counters };
}

describe('pipeline on a recorded bpftrace run', () => {
  it('turns the recording into exactly the expected ECS events and alerts', async () => {
    const { events, alerts, counters } = await run();
    if (process.env.UPDATE_FIXTURES === '1') {
      writeFileSync(`${FIXTURE_DIR}/expected-events.ndjson`, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      writeFileSync(`${FIXTURE_DIR}/expected-alerts.ndjson`, alerts.map((a) => `${JSON.stringify(a)}\n`).join(''));
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
