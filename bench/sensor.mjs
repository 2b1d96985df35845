// Kernel-side benchmarks (root): exec storm capture completeness and host overhead, idle
// cost, startup. Prints table rows and JSON lines.
// usage: node bench/sensor.mjs [EXECS]

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXECS = Number(process.argv[2] ?? 20000);
const TICK = 100; // USER_HZ
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
const rss = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const children = (pid) => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);

async function startAgent(dir) {
  writeFileSync(`${dir}/config.yaml`, '');
  const t0 = Date.now();
  const agent = spawn(`${root}/bin/nightjar`, ['run', '--config', `${dir}/config.yaml`, '--events', `${dir}/events.ndjson`, '--alerts', `${dir}/alerts.ndjson`, '--state-dir', `${dir}/state`, '--metrics', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
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

async function stopAgent(a) {
  a.agent.kill('SIGTERM');
  await new Promise((r) => a.agent.once('exit', r));
  return JSON.parse(a.log().split('\n').find((l) => l.includes('"msg":"stopped"')));
}

/** EXECS execs of /bin/true with a unique argument, from two parallel loops (2 cores). */
function storm(tag) {
  const half = EXECS / 2;
  const t0 = process.hrtime.bigint();
  execFileSync('bash', ['-c', `for j in 0 1; do (for ((i=0;i<${half};i++)); do /bin/true ${tag}-$j-$i; done) & done; wait`]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const results = [];
const row = (r, text) => {
  results.push(r);
  console.log(text);
};

// startup, 5 times
const startups = [];
for (let i = 0; i < 5; i++) {
  const a = await startAgent(mkdtempSync(`${tmpdir()}/nightjar-bench-`));
  startups.push(a.startupMs);
  await stopAgent(a);
}
row({ benchmark: 'startup_ms', runs: startups, max: Math.max(...startups) }, `| startup: command -> ready | ${startups.join(', ')} ms (max ${Math.max(...startups)}) |`);

// exec storm: baseline and with the agent, interleaved
const base1 = storm('base1');
const dir = mkdtempSync(`${tmpdir()}/nightjar-bench-`);
const a = await startAgent(dir);
const cpu0 = cpuTicks(a.agent.pid) + cpuTicks(a.bt);
const traced = storm('traced');
await sleep(1000);
const cpu1 = cpuTicks(a.agent.pid) + cpuTicks(a.bt);
const stopped = await stopAgent(a);
const base2 = storm('base2');
const want = new Set();
for (let j = 0; j < 2; j++) for (let i = 0; i < EXECS / 2; i++) want.add(`traced-${j}-${i}`);
let exact = 0;
for (const line of readFileSync(`${dir}/events.ndjson`, 'utf8').split('\n')) {
  if (!line.includes('"traced-')) continue;
  const e = JSON.parse(line);
  const args = e.process?.args;
  if (e.event.action === 'exec' && args?.length === 2 && args[0] === '/bin/true' && want.delete(args[1])) exact++;
}
const baseRate = EXECS / ((base1 + base2) / 2);
const tracedRate = EXECS / traced;
row({ benchmark: 'exec_storm_completeness', execs: EXECS, received_exact: exact, ratio: exact / EXECS, records_lost: stopped.probe_records_lost ?? 0 },
  `| exec storm capture | ${exact}/${EXECS} exec events with exact argv (${((100 * exact) / EXECS).toFixed(2)}%), ${stopped.probe_records_lost ?? 0} records lost |`);
row({ benchmark: 'exec_storm_overhead', untraced_execs_per_s: Math.round(baseRate), traced_execs_per_s: Math.round(tracedRate), ratio: +(tracedRate / baseRate).toFixed(3), cpu_s_per_1000_events: +((cpu1 - cpu0) / TICK / (EXECS * 3 / 1000)).toFixed(3) },
  `| exec storm overhead | ${Math.round(tracedRate)} vs ${Math.round(baseRate)} execs/s untraced (ratio ${(tracedRate / baseRate).toFixed(3)}) | agent+bpftrace ${((cpu1 - cpu0) / TICK).toFixed(2)} CPU s for ~${EXECS * 3} events |`);

// loopback connect/accept storm: baseline and with the agent, interleaved
const CONNS = 20000;
const connStorm = () => JSON.parse(execFileSync('node', [`${root}/bench/connect-storm.mjs`, String(CONNS), '32'], { encoding: 'utf8' }).trim());
const c1 = connStorm().seconds;
const ca = await startAgent(mkdtempSync(`${tmpdir()}/nightjar-bench-`));
const cc0 = cpuTicks(ca.agent.pid) + cpuTicks(ca.bt);
const tracedRun = connStorm();
const ct = tracedRun.seconds;
await sleep(1000);
const cc1 = cpuTicks(ca.agent.pid) + cpuTicks(ca.bt);
const cstop = await stopAgent(ca);
const c2 = connStorm().seconds;
const expectedNet = tracedRun.connects + tracedRun.accepted;
const cBase = CONNS / ((c1 + c2) / 2);
const cTraced = CONNS / ct;
const netEvents = Object.entries(cstop).filter(([k]) => k.startsWith('events{kind="net"')).reduce((a, [, v]) => a + v, 0);
row({ benchmark: 'connect_storm_overhead', connections: CONNS, untraced_conns_per_s: Math.round(cBase), traced_conns_per_s: Math.round(cTraced), ratio: +(cTraced / cBase).toFixed(3), network_events: netEvents, expected_network_events: expectedNet, records_lost: cstop.probe_records_lost ?? 0, cpu_s_per_1000_events: +((cc1 - cc0) / TICK / (Math.max(1, netEvents) / 1000)).toFixed(3) },
  `| loopback connect/accept storm | ${Math.round(cTraced)} vs ${Math.round(cBase)} conns/s untraced (ratio ${(cTraced / cBase).toFixed(3)}) | ${netEvents}/${expectedNet} network events (every connect and accept() done), ${cstop.probe_records_lost ?? 0} lost, ${((cc1 - cc0) / TICK).toFixed(2)} CPU s |`);

// idle: 60 s
const idle = await startAgent(mkdtempSync(`${tmpdir()}/nightjar-bench-`));
await sleep(2000);
const i0 = { agent: cpuTicks(idle.agent.pid), bt: cpuTicks(idle.bt) };
await sleep(60000);
const i1 = { agent: cpuTicks(idle.agent.pid), bt: cpuTicks(idle.bt) };
const idleR = { benchmark: 'idle_60s', agent_cpu_pct: +((100 * (i1.agent - i0.agent)) / TICK / 60).toFixed(2), bpftrace_cpu_pct: +((100 * (i1.bt - i0.bt)) / TICK / 60).toFixed(2), agent_rss_mb: +(rss(idle.agent.pid) / 2 ** 20).toFixed(1), bpftrace_rss_mb: +(rss(idle.bt) / 2 ** 20).toFixed(1) };
await stopAgent(idle);
row(idleR, `| idle 60 s | agent ${idleR.agent_cpu_pct}% + bpftrace ${idleR.bpftrace_cpu_pct}% of one core | RSS agent ${idleR.agent_rss_mb} MB, bpftrace ${idleR.bpftrace_rss_mb} MB |`);

for (const r of results) console.log(JSON.stringify(r));
