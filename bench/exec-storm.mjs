// Exec storm (root): what tracing costs the host. Each round runs the same storm untraced,
// under the agent, untraced, under bpftrace alone (stdout to /dev/null) with today's probe,
// untraced, and under bpftrace alone with an older probe (--probe-at REV), untraced. A traced
// run's ratio is its rate over the mean of the two untraced runs beside it, so every ratio
// compares figures measured back to back. Also: CPU µs per event of the agent and of bpftrace,
// separately, and how many exec events the agent counted. The agent runs as installed: no events file.
// usage: node bench/exec-storm.mjs [--execs 20000] [--rounds 3] [--probe-at 02532e3]

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuTicks, sleep, startAgent, stopAgent, TICKS_PER_S } from './agent-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { execs: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, 'probe-at': { type: 'string', default: '02532e3' } } });
const EXECS = Number(values.execs);
const ROUNDS = Number(values.rounds);
const TICK_US = 1e6 / TICKS_PER_S;

/** EXECS execs of /bin/true with a unique argument, from two parallel loops (2 cores); seconds. */
function storm(tag) {
  const half = EXECS / 2;
  const t0 = process.hrtime.bigint();
  execFileSync('bash', ['-c', `for j in 0 1; do (for ((i=0;i<${half};i++)); do /bin/true ${tag}-$j-$i; done) & done; wait`]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** bpftrace alone on a probe script, its output read and discarded; resolves once attached. */
async function startBare(script) {
  const bt = spawn('bpftrace', ['-f', 'json', script], { env: { ...process.env, BPFTRACE_STRLEN: '160', BPFTRACE_PERF_RB_PAGES: '1024' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  bt.stderr.on('data', (b) => (err += b));
  await new Promise((resolve, reject) => {
    bt.once('exit', () => reject(new Error(`bpftrace exited: ${err}`)));
    bt.stdout.on('data', function first(b) {
      if (!String(b).includes('attached_probes')) return;
      bt.stdout.off('data', first);
      resolve();
    });
  });
  bt.stdout.resume();
  await sleep(300);
  return bt;
}

async function stopBare(bt) {
  bt.kill('SIGINT');
  await new Promise((r) => bt.once('exit', r));
}

const oldProbe = `${mkdtempSync(`${tmpdir()}/nightjar-probe-`)}/old.bt`;
writeFileSync(oldProbe, execFileSync('git', ['-C', root, 'show', `${values['probe-at']}:probes/nightjar.bt`]));

const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const u = [storm(`u${r}a`)];
  const dir = mkdtempSync(`${tmpdir()}/nightjar-bench-`);
  const a = await startAgent(dir, { events: false });
  const c0 = { agent: cpuTicks(a.agent.pid), bt: cpuTicks(a.bt) };
  const agentS = storm(`traced${r}`);
  await sleep(1000);
  const c1 = { agent: cpuTicks(a.agent.pid), bt: cpuTicks(a.bt) };
  const stopped = await stopAgent(a);
  u.push(storm(`u${r}b`));
  const now = await startBare(`${root}/probes/nightjar.bt`);
  const bareNowS = storm(`bare${r}`);
  await stopBare(now);
  u.push(storm(`u${r}c`));
  const old = await startBare(oldProbe);
  const bareOldS = storm(`old${r}`);
  await stopBare(old);
  u.push(storm(`u${r}d`));

  const rate = (s) => EXECS / s;
  const events = Object.entries(stopped).filter(([k]) => k.startsWith('events{')).reduce((n, [, v]) => n + v, 0);
  rounds.push({
    untraced_execs_per_s: u.map((s) => Math.round(rate(s))),
    agent_ratio: +(rate(agentS) / ((rate(u[0]) + rate(u[1])) / 2)).toFixed(3),
    bpftrace_alone_ratio: +(rate(bareNowS) / ((rate(u[1]) + rate(u[2])) / 2)).toFixed(3),
    bpftrace_alone_old_probe_ratio: +(rate(bareOldS) / ((rate(u[2]) + rate(u[3])) / 2)).toFixed(3),
    events,
    agent_cpu_us_per_event: Math.round(((c1.agent - c0.agent) * TICK_US) / events),
    bpftrace_cpu_us_per_event: Math.round(((c1.bt - c0.bt) * TICK_US) / events),
    exec_events: stopped['events{kind="exec"}'] ?? 0, records_lost: stopped.probe_records_lost ?? 0,
  });
}

const range = (k) => {
  const v = rounds.map((x) => x[k]);
  return `${Math.min(...v)}-${Math.max(...v)}`;
};
const res = { benchmark: 'exec_storm', execs: EXECS, rounds, old_probe: values['probe-at'] };
console.log(`| exec storm, ${ROUNDS} rounds of ${EXECS} execs (ratio = traced / untraced beside it) | agent ${range('agent_ratio')} | bpftrace alone ${range('bpftrace_alone_ratio')}, with the ${values['probe-at']} probe ${range('bpftrace_alone_old_probe_ratio')} |`);
console.log(`| exec storm CPU per event | agent ${range('agent_cpu_us_per_event')} µs | bpftrace ${range('bpftrace_cpu_us_per_event')} µs | exec events ${range('exec_events')} for ${EXECS} execs, records lost ${range('records_lost')} |`);
console.log(JSON.stringify(res));
