// Issue 19 item 3 on a real filesystem: the alert log on a 2 MiB tmpfs that fills up, a
// read-only mount at start, and a SIGHUP reopen onto a path that refuses writes. Alerts come
// from real netcat listeners, as in live-detection.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { descendants, startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { hostNcListener } from '../helpers/host-nc.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const RULE2 = 'File Transfer or Listener Established via Netcat';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let port = 45000 + (process.pid % 5000);
const mounts: string[] = [];

function tmpfs(size: string, opts = ''): string {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-disk-`);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${opts ? `,${opts}` : ''}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      /* already unmounted */
    }
  }
});

/** One host `nc -l -p P` that accepts a connection: one alert of rule 2, its args naming P. */
async function ncAlert(): Promise<number> {
  const p = ++port;
  await hostNcListener(p);
  return p;
}

async function metrics(agent: AgentHarness): Promise<Record<string, number>> {
  const text = await (await fetch(`http://${agent.metrics}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^nightjar_(\S+) (\S+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function health(agent: AgentHarness): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${agent.metrics}/healthz`);
  return { status: res.status, body: await res.text() };
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, context?: () => string, timeoutMs = 20000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${context?.() ?? ''}`);
    await sleep(100);
  }
}

const matched = (m: Record<string, number>) => Object.entries(m).filter(([k]) => k.startsWith('alerts_matched_total')).reduce((n, [, v]) => n + v, 0);

function alertLines(path: string): { text: string; docs: EcsDoc[] } {
  const text = readFileSync(path, 'utf8');
  return { text, docs: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc) };
}
const portOf = (a: EcsDoc) => Number(((getPath(a, 'process.args') as string[] | undefined) ?? []).at(-1));

function fill(dir: string): void {
  // dd stops at ENOSPC (exit 1); the filesystem is then full to the page
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${dir}/filler`, 'bs=4096'], { stdio: 'ignore' });
  } catch {
    /* ENOSPC is the point */
  }
}

describe.skipIf(skipKernel)('disk faults', () => {
  it('survives a full alert log disk: alerts kept and counted, /healthz says why, all land in order when space returns', async () => {
    const disk = tmpfs('2m');
    const alertsPath = `${disk}/alerts.ndjson`;
    const agent = await startAgentProcess(['--alerts', alertsPath]);
    try {
      // a first alert lands normally (retried: a loaded machine can delay an event past the reorder window)
      let before = 0;
      for (let i = 0; i < 3 && !before; i++) {
        const p = await ncAlert();
        before = await until('first alert written', () => alertLines(alertsPath).docs.some((a) => portOf(a) === p), undefined, 10000).then(() => p, () => 0);
      }
      expect(before, agent.logLines.slice(-20).join('\n')).toBeGreaterThan(0);
      const syncedBefore = readFileSync(alertsPath);
      const matched0 = matched(await metrics(agent));
      fill(disk);

      const N = 25;
      const ports: number[] = [];
      for (let i = 0; i < N; i++) ports.push(await ncAlert());
      // every alert raised while the disk is full is buffered, none dropped
      let last = '';
      const m = await until('alerts settle in the buffer', async () => {
        const v = await metrics(agent);
        const key = `${matched(v)}/${v.alerts_buffered}`;
        const settled = key === last && v.alerts_buffered === matched(v) - matched0;
        last = key;
        return settled ? v : undefined;
      }, () => agent.logLines.slice(-20).join('\n'));
      const raised = matched(m) - matched0;
      expect(raised).toBeGreaterThanOrEqual(N - 2);
      expect(m.alert_log_up).toBe(0);
      expect(m.alerts_buffered).toBe(raised);
      expect(m.alerts_write_failed_total).toBe(raised);
      expect(m['alerts_dropped_total{reason="buffer_full"}'] ?? 0).toBe(0);
      expect(Object.keys(m).some((k) => k.startsWith('alert_log_errors_total{op="write",code="ENOSPC"}'))).toBe(true);
      const h = await health(agent);
      expect(h.status).toBe(503);
      expect(h.body).toMatch(new RegExp(`alert log not writable since .*ENOSPC.*; ${raised} alert\\(s\\) kept in memory`));
      await agent.waitForLog((l) => l.includes('"level":"error"') && l.includes('alert log not writable') && l.includes('ENOSPC'));
      // still alive and detecting: the last nc's exec reached the events file
      expect(agent.proc.exitCode).toBeNull();
      await agent.waitFor((e) => getPath(e, 'event.action') === 'exec' && (getPath(e, 'process.args') as string[]).includes(String(ports.at(-1))));
      // nothing fsynced earlier was lost or torn
      const during = readFileSync(alertsPath);
      expect(during.subarray(0, syncedBefore.length).equals(syncedBefore)).toBe(true);
      expect(during.length === 0 || during.at(-1) === 0x0a).toBe(true);

      rmSync(`${disk}/filler`);
      const freedAt = Date.now();
      const recovered = await agent.waitForLog((l) => l.includes('alert log writable again'));
      const resumeMs = Date.now() - freedAt;
      const { text, docs } = alertLines(alertsPath);
      expect(text.endsWith('\n')).toBe(true);
      const got = docs.map(portOf).filter((p) => ports.includes(p));
      expect(got).toHaveLength(raised);
      expect(got).toEqual(ports.filter((p) => got.includes(p)));
      expect(docs.filter((a) => ports.includes(portOf(a))).every((a) => getPath(a, 'rule.name') === RULE2)).toBe(true);
      const after = await metrics(agent);
      expect(after.alerts_buffered).toBe(0);
      expect(after.alert_log_up).toBe(1);
      expect(after.alerts_write_recovered_total).toBe(raised);
      expect(after.alerts_written_total).toBe(docs.length);
      expect((await health(agent)).status).toBe(200);
      // and new alerts are written straight away again
      const later = await ncAlert();
      await until('alert after recovery', () => alertLines(alertsPath).docs.some((a) => portOf(a) === later));
      process.stdout.write(`disk-faults: ${N} nc listeners on a full disk raised ${raised} alerts, all buffered; ${got.length} recovered in order; written ${resumeMs} ms after space returned (retry every 1 s); ${recovered}\n`);
    } finally {
      await agent.stop();
    }
    expect(agent.proc.exitCode).toBe(0);
  });

  it('refuses a read-only alert log path at start: exit 2, one line, no bpftrace started', async () => {
    const ro = tmpfs('1m', 'ro');
    const dir = mkdtempSync(`${tmpdir()}/nightjar-ro-`);
    writeFileSync(`${dir}/config.yaml`, '');
    const t0 = Date.now();
    const proc = execa(NIGHTJAR_BIN, ['run', '--config', `${dir}/config.yaml`, '--state-dir', `${dir}/state`, '--alerts', `${ro}/alerts.ndjson`, '--metrics', '127.0.0.1:0'], { reject: false, stdin: 'ignore' });
    let sawChild = false;
    const watch = setInterval(() => {
      if (proc.pid && descendants(proc.pid).length) sawChild = true;
    }, 5);
    const r = await proc;
    clearInterval(watch);
    const lines = r.stderr.trim().split('\n');
    expect(r.exitCode).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nightjar: alert log .*alerts\.ndjson: cannot open for writing: EROFS/);
    expect(sawChild).toBe(false);
    process.stdout.write(`disk-faults: read-only alert log path -> exit ${r.exitCode} after ${Date.now() - t0} ms: ${lines[0]}\n`);
  });

  it('a SIGHUP reopen onto a path that refuses writes is logged and retried, never a crash, and works once the path does', async () => {
    const disk = tmpfs('4m');
    const alertsPath = `${disk}/log/alerts.ndjson`;
    const agent = await startAgentProcess(['--alerts', alertsPath]);
    try {
      const first = await ncAlert();
      await until('first alert', () => alertLines(alertsPath).docs.some((a) => portOf(a) === first));
      // the directory becomes unwritable: a read-only filesystem mounted over it
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', `${disk}/log`]);
      agent.proc.kill('SIGHUP');
      const err = await agent.waitForLog((l) => l.includes('alert log reopen failed'));
      expect(JSON.parse(err)).toMatchObject({ level: 'error', code: 'EROFS', path: alertsPath });
      const h = await health(agent);
      expect(h.status).toBe(503);
      expect(h.body).toMatch(/alert log reopen failed since .*EROFS/);
      // still alive, still writing (to the file it has open)
      const during = await ncAlert();
      await sleep(1500);
      expect(agent.proc.exitCode).toBeNull();
      expect((await metrics(agent))['alert_log_errors_total{op="reopen",code="EROFS"}']).toBeGreaterThanOrEqual(2);
      execFileSync('umount', [`${disk}/log`]);
      await agent.waitForLog((l) => l.includes('"msg":"alert log reopened"'));
      expect((await health(agent)).status).toBe(200);
      const after = await ncAlert();
      await until('alert after reopen', () => alertLines(alertsPath).docs.some((a) => portOf(a) === after));
      expect(alertLines(alertsPath).docs.map(portOf).filter((p) => [first, during, after].includes(p))).toEqual([first, during, after]);
    } finally {
      await agent.stop();
    }
    expect(agent.proc.exitCode).toBe(0);
  });
});
