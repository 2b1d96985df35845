// Kernel-side benchmarks (root): startup, loopback connect storm overhead, idle cost (the exec
// storm is bench/exec-storm.mjs). Prints table rows and JSON lines.
// usage: node bench/sensor.mjs

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuTicks, rss, sleep, startAgent, stopAgent, TICKS_PER_S as TICK } from './agent-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

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
