// Disk faults without root: RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG,
// part-way through a write), and raising it is space returning. The built AlertLog and
// NdjsonWriter run in a child that sets its own limit with prlimit; Node ignores SIGXFSZ.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const CHILD = `
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
const [dir, scenario] = process.argv.slice(1);
const { AlertLog } = await import('${REPO}/dist/alerts/alert-log.js');
const { NdjsonWriter } = await import('${REPO}/dist/agent/ndjson-writer.js');
const { Counters } = await import('${REPO}/dist/util/counters.js');
const limit = (v) => execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=' + v + ':unlimited']);
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const counters = new Counters();
const states = [];
const policy = (max) => ({ maxBufferedAlerts: max, maxBufferedBytes: 1 << 20, retryMs: 50, counters, onState: (op, f) => states.push([op, f ? f.code : null]) });
const pad = 'x'.repeat(150);
const out = {};
if (scenario === 'full') {
  const log = new AlertLog(dir + '/a.ndjson', { maxBytes: 1e9, keep: 2, faults: policy(scenario === 'full' ? 10000 : 5) });
  limit(4000);
  for (let i = 0; i < 40; i++) { log.append({ i, pad }); await tick(); }
  out.during = { size: readFileSync(dir + '/a.ndjson').length, text: readFileSync(dir + '/a.ndjson', 'utf8'), fault: log.fault?.code, buffered: log.buffered, counters: counters.snapshot() };
  limit('unlimited');
  await tick(300);
  out.after = { text: readFileSync(dir + '/a.ndjson', 'utf8'), fault: log.fault?.code ?? null, buffered: log.buffered, counters: counters.snapshot() };
  log.close();
} else if (scenario === 'bound') {
  const log = new AlertLog(dir + '/a.ndjson', { maxBytes: 1e9, keep: 2, faults: policy(5) });
  limit(1000);
  for (let i = 0; i < 20; i++) { log.append({ i, pad }); await tick(); }
  out.during = { buffered: log.buffered, counters: counters.snapshot() };
  limit('unlimited');
  await tick(300);
  out.after = { text: readFileSync(dir + '/a.ndjson', 'utf8'), counters: counters.snapshot() };
  log.close();
} else if (scenario === 'shutdown') {
  const log = new AlertLog(dir + '/a.ndjson', { maxBytes: 1e9, keep: 2, faults: policy(100) });
  limit(1000);
  for (let i = 0; i < 20; i++) { log.append({ i, pad }); await tick(); }
  out.lost = log.close();
  out.text = readFileSync(dir + '/a.ndjson', 'utf8');
  out.counters = counters.snapshot();
} else if (scenario === 'events') {
  const faults = [];
  const w = new NdjsonWriter(dir + '/e.ndjson', undefined, (f, code) => faults.push(code ?? (f ? 'fault' : 'recovered')), 50);
  limit(3000);
  for (let i = 0; i < 40; i++) { w.write({ i, pad }); await tick(5); }
  out.during = { failed: w.failed, fault: w.fault?.code };
  limit('unlimited');
  await tick(300);
  for (let i = 40; i < 45; i++) { w.write({ i, pad }); await tick(5); }
  await w.close();
  out.text = readFileSync(dir + '/e.ndjson', 'utf8');
  out.failed = w.failed;
  out.faults = faults;
}
out.states = states;
process.stdout.write(JSON.stringify(out));
`;

// the child's JSON report, read loosely
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Report = Record<string, any>;

async function run(scenario: string): Promise<Report> {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-faults-`);
  try {
    const r = await execa(process.execPath, ['--input-type=module', '-e', CHILD, dir, scenario], { reject: false });
    if (r.exitCode !== 0) throw new Error(`child failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ids = (text: string) => text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i);
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);

describe('alert log on a disk that refuses writes', () => {
  it('keeps refused alerts in memory, never leaves a torn line, and writes them in order when space returns', async () => {
    const { during, after, states } = await run('full');
    // a write failed part-way: the file was cut back to its last whole line
    expect(during.text.endsWith('\n')).toBe(true);
    expect(during.size).toBeLessThanOrEqual(4000);
    const first = ids(during.text);
    expect(first).toEqual(range(0, first.length));
    expect(during.fault).toBe('EFBIG');
    expect(during.buffered).toBe(40 - first.length);
    expect(during.counters.alerts_write_failed).toBe(40 - first.length);
    expect(during.counters['alert_log_errors{op="write",code="EFBIG"}']).toBeGreaterThanOrEqual(1);
    expect(ids(after.text)).toEqual(range(0, 40));
    expect(after.fault).toBeNull();
    expect(after.buffered).toBe(0);
    expect(after.counters.alerts_write_recovered).toBe(after.counters.alerts_write_failed);
    expect(states).toEqual([['write', 'EFBIG'], ['write', null]]);
  });

  it('drops the newest past the bound, counted, and the counts add up', async () => {
    const { during, after } = await run('bound');
    expect(during.buffered).toBe(5);
    const written = ids(after.text);
    const failed = after.counters.alerts_write_failed as number;
    const dropped = after.counters['alerts_dropped{reason="buffer_full"}'] as number;
    expect(dropped).toBeGreaterThan(0);
    expect(failed).toBe(after.counters.alerts_write_recovered + dropped);
    expect(written.length + dropped).toBe(20);
    // what was kept is the oldest, in order
    expect(written).toEqual(range(0, written.length));
  });

  it('counts what cannot be written at close instead of throwing', async () => {
    const out = await run('shutdown');
    expect(out.lost).toBe(20 - ids(out.text).length);
    expect(out.lost).toBeGreaterThan(0);
    expect(out.counters['alerts_dropped{reason="shutdown"}']).toBe(out.lost);
    expect(out.counters.alerts_write_failed).toBe(out.lost);
  });
});

describe('events file on a disk that refuses writes', () => {
  it('counts lost events, reopens when space returns, and keeps whole lines only', async () => {
    const out = await run('events');
    expect(out.during.fault).toBe('EFBIG');
    expect(out.faults[0]).toBe('EFBIG');
    expect(out.faults).toContain('recovered');
    const got = ids(out.text);
    expect(out.text.endsWith('\n')).toBe(true);
    // every event either landed or was counted
    expect(got.length + out.failed).toBe(45);
    expect(got.slice(-5)).toEqual(range(40, 45));
    expect(got).toEqual([...got].sort((a, b) => a - b));
  });
});

describe('alert log reopen (SIGHUP) onto a path that cannot be opened', () => {
  it('keeps writing the old file, retries, and reopens once the path works again', async () => {
    const { AlertLog } = await import('../../src/alerts/alert-log.js');
    const { Counters } = await import('../../src/util/counters.js');
    const root = mkdtempSync(`${tmpdir()}/nightjar-reopen-`);
    const counters = new Counters();
    const states: [string, string | null][] = [];
    mkdirSync(`${root}/log`);
    const log = new AlertLog(`${root}/log/a.ndjson`, {
      maxBytes: 1e9, keep: 2,
      faults: { maxBufferedAlerts: 100, maxBufferedBytes: 1 << 20, retryMs: 50, counters, onState: (op, f) => states.push([op, f ? f.code : null]) },
    });
    log.append({ i: 0 });
    log.flush();
    // logrotate moved the directory away and something else took its name
    const { renameSync } = await import('node:fs');
    renameSync(`${root}/log`, `${root}/old`);
    writeFileSync(`${root}/log`, 'not a directory');
    log.reopen();
    expect(log.reopenPending).toBe(true);
    expect(log.fault?.code).toBe('ENOTDIR');
    log.append({ i: 1 });
    log.flush();
    expect(ids(readFileSync(`${root}/old/a.ndjson`, 'utf8'))).toEqual([0, 1]);
    rmSync(`${root}/log`);
    mkdirSync(`${root}/log`);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.reopenPending).toBe(false);
    expect(log.fault).toBeUndefined();
    log.append({ i: 2 });
    log.close();
    expect(ids(readFileSync(`${root}/log/a.ndjson`, 'utf8'))).toEqual([2]);
    expect(states).toEqual([['reopen', 'ENOTDIR'], ['reopen', null]]);
    expect(counters.get('alert_log_errors', { op: 'reopen', code: 'ENOTDIR' })).toBeGreaterThanOrEqual(1);
    rmSync(root, { recursive: true, force: true });
  });
});
