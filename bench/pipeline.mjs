// Pipeline throughput and memory without the kernel in the loop: bpftrace output recorded
// during an exec storm, replayed in one process through decode, reassembly, process table,
// ECS mapping and both rules (alerts to a real alert log), pinned to one core by the caller.
// Beside it, the floor: JSON.parse + JSON.stringify of the same lines. Then RSS after
// ~1,000,000 events, and with a flood of 100,000 pending nc sequences.
// usage: taskset -c 0 node bench/pipeline.mjs   (records first; needs root)

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}/dist`;
const { Pipeline } = await import(`${dist}/pipeline/pipeline.js`);
const { ProcessTable } = await import(`${dist}/process/process-table.js`);
const { Detector } = await import(`${dist}/detect/detector.js`);
const { AlertLog } = await import(`${dist}/alerts/alert-log.js`);
const { loadRules } = await import(`${dist}/rules/load-rules.js`);
const { Counters } = await import(`${dist}/util/counters.js`);
const { Clock } = await import(`${dist}/util/clock.js`);
const { readHostMetadata, agentIdentity } = await import(`${dist}/host/host-metadata.js`);

const recording = '/tmp/nightjar-bench-bpftrace.jsonl';
if (!existsSync(recording)) {
  // 20,000 execs recorded straight from bpftrace
  const bt = spawn('bpftrace', ['-f', 'json', `${root}/probes/nightjar.bt`], {
    env: { ...process.env, BPFTRACE_STRLEN: '160', BPFTRACE_PERF_RB_PAGES: '1024' }, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out = (await import('node:fs')).createWriteStream(recording);
  bt.stdout.pipe(out);
  let buf = '';
  await new Promise((resolve) => bt.stdout.on('data', function onData(b) {
    buf += b;
    if (buf.includes('"data": "B ')) { bt.stdout.off('data', onData); resolve(); }
  }));
  execFileSync('bash', ['-c', 'for j in 0 1; do (for ((i=0;i<10000;i++)); do /bin/true rec-$j-$i; done) & done; wait']);
  await new Promise((r) => setTimeout(r, 1000));
  bt.kill('SIGINT');
  await new Promise((r) => bt.once('exit', r));
  await new Promise((r) => out.end(r));
}
const lines = readFileSync(recording, 'utf8').split('\n').filter(Boolean);

const { rules } = await loadRules([`${root}/rules`]);
const host = await readHostMetadata('');
const agent = await agentIdentity(mkdtempSync(`${tmpdir()}/nj-pipe-`), '0');
const clock = new Clock();

// the agent's wiring (src/pipeline/pipeline.ts), without containers; with an events sink, every
// event becomes a JSON line as the events file writes it (serialized, not written)
function pipeline(withSink = false) {
  const counters = new Counters();
  const log = new AlertLog(`${mkdtempSync(`${tmpdir()}/nj-pipe-`)}/alerts.ndjson`, { maxBytes: 1e9, keep: 1 });
  const detector = new Detector(rules, [], log, counters);
  const sinks = withSink ? [(doc) => (sink += JSON.stringify(doc).length)] : [];
  const pipe = new Pipeline({ table: new ProcessTable(counters), host, agent, bootId: 'bench-boot', clock, counters, detector, sinks, reorderWindowMs: 15 });
  const count = () => ['exec', 'fork', 'exit', 'net'].reduce((n, kind) => n + counters.get('events', { kind }), 0);
  return { pipe, detector, log, count };
}

/** One pass over the recording through a fresh pipeline: events and seconds. */
function pass(withSink) {
  const p = pipeline(withSink);
  const t0 = process.hrtime.bigint();
  for (const l of lines) p.pipe.line(l, 0);
  p.pipe.flush(1e12);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  p.log.close();
  return { events: p.count(), s };
}

// throughput: passes without and with an events sink, interleaved, after one warm-up of each
let sink = 0;
pass(false);
pass(true);
const PASSES = 9;
const runs = { bare: [], sink: [] };
for (let i = 0; i < PASSES; i++) {
  for (const withSink of [false, true]) {
    const { events, s } = pass(withSink);
    runs[withSink ? 'sink' : 'bare'].push(events / s);
  }
}
const events = pass(false).events * 3;
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const f0 = process.hrtime.bigint();
for (let pass = 0; pass < 3; pass++) for (const l of lines) sink += JSON.stringify(JSON.parse(l)).length;
const floorSecs = Number(process.hrtime.bigint() - f0) / 1e9;
const perLine = (3 * lines.length) / floorSecs;

// memory: ~1,000,000 events through one pipeline
const big = pipeline();
while (big.count() < 1000000) {
  for (const l of lines) big.pipe.line(l, 0);
  big.pipe.flush(1e12);
}
global.gc?.();
const rssAfter1M = process.memoryUsage().rss;
big.log.close();

// memory: 100,000 nc starts that never reach the network (pending sequences)
const flood = pipeline();
const t = Date.now();
for (let i = 0; i < 100000; i++) {
  flood.detector.onEvent({
    '@timestamp': new Date(t + i).toISOString(),
    event: { kind: 'event', category: ['process'], type: ['start'], action: 'exec', sequence: i },
    host: { os: { type: 'linux' } }, process: { pid: i, entity_id: `flood-${i}`, name: 'nc', args: ['nc', '-l', '-p', String(i)] },
  });
}
const pending = flood.detector.pendingSequences();
global.gc?.();
const rssFlood = process.memoryUsage().rss;
flood.log.close();

const r = {
  benchmark: 'pipeline', lines: lines.length, events_per_pass: events / 3, events_per_s: Math.round(median(runs.bare)),
  events_per_s_min_max: [Math.round(Math.min(...runs.bare)), Math.round(Math.max(...runs.bare))],
  events_per_s_with_events_sink: Math.round(median(runs.sink)), events_per_s_with_events_sink_min_max: [Math.round(Math.min(...runs.sink)), Math.round(Math.max(...runs.sink))],
  floor_lines_per_s: Math.round(perLine), floor_events_per_s: Math.round(perLine * (events / 3 / lines.length)),
  rss_mb_after_1m_events: +(rssAfter1M / 2 ** 20).toFixed(1), flood_nc_starts: 100000, flood_pending_sequences: pending,
  rss_mb_after_flood: +(rssFlood / 2 ** 20).toFixed(1), target_events_per_s: 200000, sink,
};
console.log(`| pipeline on recorded bpftrace output, 1 core, median of ${PASSES} (min-max) | ${r.events_per_s} events/s (${r.events_per_s_min_max.join('-')}); with an events sink ${r.events_per_s_with_events_sink} (${r.events_per_s_with_events_sink_min_max.join('-')}) | floor (JSON.parse+stringify of the same lines) ${r.floor_events_per_s} events/s |`);
console.log(`| memory | RSS ${r.rss_mb_after_1m_events} MB after ~1,000,000 events | ${r.flood_pending_sequences} pending after 100,000 nc starts (per-rule cap 10,000), RSS ${r.rss_mb_after_flood} MB |`);
console.log(JSON.stringify(r));
