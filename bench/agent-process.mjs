// The agent as a benchmark runs it: `nightjar run` on an empty config, loopback metrics, its
// bpftrace child found by name; CPU ticks and RSS read from /proc.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const TICKS_PER_S = 100; // USER_HZ
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function cpuTicks(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
export const rss = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const children = (pid) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);

/** Starts the agent in dir; events: also write every event to dir/events.ndjson. Resolves at "ready". */
export async function startAgent(dir, { events = true } = {}) {
  writeFileSync(`${dir}/config.yaml`, '');
  const t0 = Date.now();
  const args = ['run', '--config', `${dir}/config.yaml`, '--alerts', `${dir}/alerts.ndjson`, '--state-dir', `${dir}/state`, '--metrics', '127.0.0.1:0'];
  if (events) args.push('--events', `${dir}/events.ndjson`);
  const agent = spawn(`${root}/bin/nightjar`, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  agent.stderr.on('data', (b) => (log += b));
  while (!log.includes('"msg":"ready"')) {
    if (agent.exitCode !== null) throw new Error(log);
    await sleep(10);
  }
  const startupMs = Date.now() - t0;
  const bt = children(agent.pid).find((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bpftrace');
  return { agent, bt, startupMs, log: () => log };
}

/** SIGTERM; resolves to the counters of the agent's "stopped" line. */
export async function stopAgent(a) {
  a.agent.kill('SIGTERM');
  await new Promise((r) => a.agent.once('exit', r));
  return JSON.parse(a.log().split('\n').find((l) => l.includes('"msg":"stopped"')));
}
