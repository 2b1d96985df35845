// The checked-in bpftrace recording (test/fixtures/pipeline/) replayed through src/pipeline with a
// fixed host, agent, boot id, clock and user names: the same output on every machine.

import { readFileSync } from 'node:fs';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import type { AgentDoc, HostDoc } from '../../src/host/host-metadata.js';
import { UserNames } from '../../src/host/user-names.js';
import { Pipeline, type PipelineOptions } from '../../src/pipeline/pipeline.js';
import { ProcessTable } from '../../src/process/process-table.js';
import { Clock } from '../../src/util/clock.js';
import { Counters } from '../../src/util/counters.js';
import { REPO } from './paths.js';

export const FIXTURE_DIR = `${REPO}/test/fixtures/pipeline`;
const HOST: HostDoc = {
  name: 'fixture-host', hostname: 'fixture-host', id: '0123456789abcdef0123456789abcdef', architecture: 'x86_64',
  os: { type: 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '13', full: 'Debian GNU/Linux 13 (trixie)', kernel: '6.18.0-fixture', platform: 'debian' },
};
const AGENT: AgentDoc = { type: 'nightjar', name: 'fixture-host', version: '0.0.0-fixture', id: 'a9e7c0de-0000-4000-8000-000000000001', ephemeral_id: 'e9e7c0de-0000-4000-8000-000000000002' };
// monotonic 0 and boot both at 2026-01-01T00:00:00Z: @timestamp is that plus the recorded ts
const EPOCH = Date.UTC(2026, 0, 1);

export const ndjson = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);

/** Only event.created of an alert is not a function of the recording: it is the wall clock at detection. */
export function normalizeAlert(a: EcsDoc): EcsDoc {
  return { ...a, event: { ...(a.event as object), created: '<created>' } };
}

/** Replays the recording, one line per ms, released as the live feed would (each event once its window passed). */
export function replayFixture(o: Pick<PipelineOptions, 'detector' | 'sinks'> & { counters?: Counters }): Counters {
  const counters = o.counters ?? new Counters();
  const pipeline = new Pipeline({
    table: new ProcessTable(counters), host: HOST, agent: AGENT, bootId: 'fixture-boot-id', clock: new Clock('/nonexistent', { monoToWallMs: EPOCH, bootWallMs: EPOCH }),
    counters, names: new UserNames(`${FIXTURE_DIR}/host-root`), ...o,
  });
  let now = EPOCH;
  for (const line of readFileSync(`${FIXTURE_DIR}/recording.jsonl`, 'utf8').split('\n')) {
    pipeline.line(line, ++now);
    pipeline.tick(now);
  }
  pipeline.flush(now);
  return counters;
}
