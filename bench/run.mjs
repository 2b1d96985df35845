// `npm run bench`: every benchmark in turn; results as table rows and JSON lines, also
// saved to bench/results/latest.ndjson.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const benches = [['replay.mjs'], ['latency.mjs'], ['latency.mjs', '--storm'], ['sensor.mjs'], ['exec-storm.mjs'], ['pipeline.mjs'], ['delivery.mjs'], ['matching.mjs']];
const pinned = new Set(['pipeline.mjs', 'matching.mjs']);
const json = [];
for (const [b, ...args] of benches) {
  // the in-process benchmarks are pinned to one core, like replay
  const cmd = pinned.has(b) ? ['taskset', ['-c', '0', 'node', '--expose-gc', `${root}/bench/${b}`, ...args]] : ['node', [`${root}/bench/${b}`, ...args]];
  const out = execFileSync(cmd[0], cmd[1], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.split('\n')) {
    if (line.startsWith('|')) console.log(line);
    else if (line.startsWith('{')) json.push(line);
  }
}
mkdirSync(`${root}/bench/results`, { recursive: true });
writeFileSync(`${root}/bench/results/latest.ndjson`, `${json.join('\n')}\n`);
