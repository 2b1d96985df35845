// Delivery to a local HTTPS server (own process, test CA made by openssl): alerts per second
// from a backlog to `_bulk` and to a webhook (one alert per request), and alert-to-server
// latency at a low rate with default batching.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { AlertLog } = await import(`${root}/dist/alerts/alert-log.js`);
const { Delivery } = await import(`${root}/dist/delivery/delivery.js`);
const { parseConfig } = await import(`${root}/dist/config/load-config.js`);
const { Counters } = await import(`${root}/dist/util/counters.js`);
const { createLogger } = await import(`${root}/dist/util/log.js`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const pki = mkdtempSync(`${tmpdir()}/nightjar-bench-pki-`);
const ssl = (args) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=bench ca']);
ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 's.key', '-out', 's.csr', '-subj', '/CN=localhost']);
writeFileSync(`${pki}/ext`, 'subjectAltName=IP:127.0.0.1\n');
ssl(['x509', '-req', '-in', 's.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 's.crt', '-days', '2', '-extfile', 'ext']);

const sink = spawn('node', [`${root}/bench/sink-server.mjs`, `${pki}/s.crt`, `${pki}/s.key`], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(Number(/port (\d+)/.exec(String(d))[1]))));
const ca = readFileSync(`${pki}/ca.crt`);
const getStats = (reset = false) => new Promise((resolve, reject) => {
  https.get({ host: '127.0.0.1', port, path: `/stats${reset ? '?reset=1' : ''}`, ca }, (res) => {
    let b = '';
    res.on('data', (c) => (b += c));
    res.on('end', () => resolve(JSON.parse(b)));
  }).on('error', reject);
});

function alert(i) {
  const now = new Date().toISOString();
  return {
    '@timestamp': now, event: { kind: 'alert', id: `bench-${process.pid}-${i}-${Math.random().toString(36).slice(2, 10)}`, created: now, severity: 73, risk_score: 73, module: 'nightjar', dataset: 'nightjar.alert', category: ['network'], type: ['start'] },
    message: 'File Transfer or Listener Established via Netcat: nc -l -p 4444',
    rule: { id: '3f5b1c7a-0000-4000-8000-000000000000', name: 'File Transfer or Listener Established via Netcat', version: '1', ruleset: 'nightjar', category: 'eql' },
    tags: ['Domain: Endpoint', 'OS: Linux', 'Use Case: Threat Detection', 'Tactic: Execution'],
    threat: { framework: 'MITRE ATT&CK', tactic: { id: ['TA0002'], name: ['Execution'] }, technique: { id: ['T1059'], name: ['Command and Scripting Interpreter'] } },
    process: {
      pid: 4242, name: 'nc', executable: '/usr/bin/nc.openbsd', command_line: 'nc -l -p 4444', args: ['nc', '-l', '-p', '4444'], args_count: 4,
      entity_id: 'a'.repeat(32), start: now, working_directory: '/root', user: { id: '0', name: 'root' },
      parent: { pid: 4000, name: 'bash', executable: '/usr/bin/bash', command_line: 'bash', entity_id: 'b'.repeat(32) },
    },
    user: { id: '0', name: 'root' }, network: { transport: 'tcp', type: 'ipv4' }, source: { ip: '0.0.0.0', port: 4444 },
    host: { hostname: 'bench-host', name: 'bench-host', id: 'c'.repeat(32), os: { type: 'linux', family: 'debian', kernel: '6.1.0' }, architecture: 'x86_64' },
    agent: { type: 'nightjar', version: '0.1.0', id: 'd'.repeat(32) }, ecs: { version: '8.11.0' },
    nightjar: { alert: { severity: 'high', event_ids: ['e1', 'e2'] } },
  };
}

function rig(outputYaml) {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-bench-delivery-`);
  const config = parseConfig(`outputs:\n${outputYaml}`, 'bench');
  const counters = new Counters();
  const delivery = new Delivery(config.outputs, { ...config.alerts, path: `${dir}/alerts.ndjson` }, `${dir}/state`, counters, createLogger('error'));
  const log = new AlertLog(`${dir}/alerts.ndjson`, { maxBytes: 1 << 30, keep: 2, retention: delivery }, (n) => delivery.written(n));
  return { dir, delivery, log };
}

async function throughput(label, outputYaml, n) {
  await getStats(true);
  const r = rig(outputYaml);
  for (let i = 0; i < n; i++) {
    r.log.append(alert(i));
    if (i % 1000 === 999) r.log.flush();
  }
  r.log.flush();
  const t0 = process.hrtime.bigint();
  r.delivery.start();
  for (;;) {
    const s = await getStats();
    if (s.count >= n) break;
    await sleep(20);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await r.delivery.stop();
  r.log.close();
  return { label, alerts: n, seconds: +seconds.toFixed(2), alerts_per_s: Math.round(n / seconds) };
}

async function latency(rate, seconds) {
  await getStats(true);
  const r = rig(`  - { name: es, type: elasticsearch, urls: ["https://127.0.0.1:${port}"], tls: { ca_file: ${pki}/ca.crt } }\n`);
  r.delivery.start();
  const n = rate * seconds;
  for (let i = 0; i < n; i++) {
    r.log.append(alert(i));
    await sleep(1000 / rate);
  }
  for (;;) {
    const s = await getStats();
    if (s.count >= n) break;
    await sleep(50);
  }
  const lat = (await getStats()).latencies.sort((a, b) => a - b);
  await r.delivery.stop();
  r.log.close();
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  return { alerts: n, rate_per_s: rate, p50_ms: q(0.5), p99_ms: q(0.99), max_ms: lat[lat.length - 1] };
}

const es = await throughput('elasticsearch _bulk', `  - { name: es, type: elasticsearch, urls: ["https://127.0.0.1:${port}"], tls: { ca_file: ${pki}/ca.crt } }\n`, 100000);
const hook = await throughput('webhook, 1 alert/request', `  - { name: hook, type: webhook, url: "https://127.0.0.1:${port}/hook", tls: { ca_file: ${pki}/ca.crt } }\n`, 20000);
const hookBatched = await throughput('webhook, JSON array of up to 500', `  - { name: hookb, type: webhook, url: "https://127.0.0.1:${port}/hook", batch: { max_alerts: 500 }, tls: { ca_file: ${pki}/ca.crt } }\n`, 100000);
const lat = await latency(20, 30);
sink.kill();
const result = { benchmark: 'delivery', elasticsearch: es, webhook: hook, webhook_batched: hookBatched, latency: lat, target_alerts_per_s: 5000, target_p99_ms: 2000 };
console.log(`| delivery to a local HTTPS server | _bulk ${es.alerts_per_s} alerts/s; webhook (1 per request) ${hook.alerts_per_s} alerts/s; webhook (arrays of 500) ${hookBatched.alerts_per_s} alerts/s | target >= 5000/s |`);
console.log(`| alert -> server latency at ${lat.rate_per_s} alerts/s, default batching | p50 ${lat.p50_ms} ms, p99 ${lat.p99_ms} ms | target p99 <= 2000 ms |`);
console.log(JSON.stringify(result));
