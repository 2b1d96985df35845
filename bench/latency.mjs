// Exec -> alert-in-the-log latency: 100 rule-1 triggers (an nc listener start in a runc
// container), idle host. Latency = when the alert line is seen in the log (fs.watch) minus the
// triggering exec's kernel timestamp (@timestamp). Needs root, runc, bpftrace.
// usage: node bench/latency.mjs [--storm]   (--storm: while two loops exec /bin/true flat out)

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(`${tmpdir()}/nightjar-latency-`);
const alerts = `${dir}/alerts.ndjson`;
const agent = spawn(`${root}/bin/nightjar`, ['run', '--alerts', alerts, '--state-dir', `${dir}/state`], { stdio: ['ignore', 'ignore', 'pipe'] });
await new Promise((resolve, reject) => {
  let log = '';
  agent.stderr.on('data', (b) => {
    log += b;
    if (log.includes('"msg":"ready"')) resolve();
  });
  agent.once('exit', () => reject(new Error(`agent exited: ${log}`)));
});

const seen = [];
let offset = 0;
writeFileSync(alerts, '', { flag: 'a' });
const read = () => {
  const text = readFileSync(alerts, 'utf8');
  const now = Date.now();
  for (const line of text.slice(offset).split('\n').filter(Boolean)) seen.push(now - Date.parse(JSON.parse(line)['@timestamp']));
  offset = text.lastIndexOf('\n') + 1;
};
const watcher = watch(alerts, read);

const rootfs = mkdtempSync(`${tmpdir()}/nightjar-latency-rootfs-`);
for (const d of ['usr', 'etc', 'proc', 'dev', 'tmp']) mkdirSync(`${rootfs}/${d}`);
for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, `${rootfs}/${l}`);
const id = 'f'.repeat(56) + '1a7e2c9d';
const bundle = mkdtempSync(`${tmpdir()}/nightjar-latency-bundle-`);
writeFileSync(`${bundle}/config.json`, JSON.stringify({
  ociVersion: '1.0.2',
  process: { terminal: false, user: { uid: 0, gid: 0 }, cwd: '/', env: ['PATH=/usr/bin:/bin'],
    args: ['sh', '-c', 'ln -s /bin/true /tmp/nc; i=0; while [ $i -lt 100 ]; do /tmp/nc -l -p $i; sleep 0.05; i=$((i+1)); done'] },
  root: { path: rootfs, readonly: true },
  mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/tmp', type: 'tmpfs', source: 'tmpfs' },
    ...['/usr', '/etc'].map((d) => ({ destination: d, source: d, type: 'bind', options: ['rbind', 'ro'] }))],
  linux: { cgroupsPath: `/docker/${id}`, namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
}));
const stormy = process.argv.includes('--storm');
const storm = stormy ? spawn('bash', ['-c', 'for j in 0 1; do (while :; do /bin/true storm; done) & done; wait'], { stdio: 'ignore', detached: true }) : undefined;
if (storm) await new Promise((r) => setTimeout(r, 1000));
// asynchronous: the event loop must stay free to see each alert as it lands
const ctr = spawn('runc', ['run', '--bundle', bundle, `nightjar-latency-${process.pid}`], { stdio: 'ignore' });
const t0 = Date.now();
while (seen.length < 100 && Date.now() - t0 < 30000) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => (ctr.exitCode === null ? ctr.once('exit', r) : r()));
watcher.close();
if (storm) process.kill(-storm.pid, 'SIGKILL');
agent.kill('SIGTERM');

const sorted = [...seen].sort((a, b) => a - b);
const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const mode = stormy ? 'exec_storm' : 'idle';
const result = { benchmark: `exec_to_alert_log_latency_${mode}`, triggers: 100, alerts: seen.length, p50_ms: pct(50), p99_ms: pct(99), max_ms: sorted.at(-1), target_p99_ms: stormy ? 250 : 50 };
console.log(`| exec -> alert log, ${stormy ? 'under an exec storm' : 'idle'}, ${seen.length}/100 alerts | p50 ${result.p50_ms} ms | p99 ${result.p99_ms} ms | max ${result.max_ms} ms |`);
console.log(JSON.stringify(result));
