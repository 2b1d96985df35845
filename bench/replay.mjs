// Replay throughput: N recorded-shape ECS events through both seed rules with
// `nightjar replay`, pinned to one core. Beside it the floor of reading + JSON.parse of every
// line in one process, which shows what the prefilter saves. Prints a table row and JSON.
// usage: node bench/replay.mjs [N]

import { existsSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const n = Number(process.argv[2] ?? 1000000);
const file = `/tmp/nightjar-bench-${n}.ndjson`;
if (!existsSync(file)) execFileSync('node', [`${root}/bench/make-events.mjs`, String(n), file], { stdio: 'inherit' });

function timed(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync('taskset', ['-c', '0', ...args], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, stdout: r.stdout };
}

const floorScript = `
const fs = require('fs'); let rest = '', n = 0;
const s = fs.createReadStream(process.argv[1], { encoding: 'utf8', highWaterMark: 1 << 20 });
s.on('data', (c) => { const t = rest + c; let at = 0, nl; while ((nl = t.indexOf('\\n', at)) >= 0) { JSON.parse(t.slice(at, nl)); n++; at = nl + 1; } rest = t.slice(at); });
s.on('end', () => console.log(n));`;

const runs = [1, 2, 3].map(() => timed(['node', `${root}/bin/nightjar`, 'replay', file]));
const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
const alerts = best.stdout.split('\n').filter(Boolean).length;
const floor = timed(['node', '-e', floorScript, file]);
const result = {
  benchmark: 'replay', events: n, bytes: statSync(file).size, alerts,
  seconds: +best.seconds.toFixed(3), events_per_s: Math.round(n / best.seconds),
  parse_all_floor_events_per_s: Math.round(n / floor.seconds), target_events_per_s: 200000,
};
console.log(`| replay ${n} events, both rules, 1 core | ${result.events_per_s} events/s | parse-every-line floor ${result.parse_all_floor_events_per_s} events/s | ${alerts} alerts |`);
console.log(JSON.stringify(result));
