// The alert log, throttling, exceptions and `nightjar tail -f`.

import { appendFileSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { AlertLog } from '../../src/alerts/alert-log.js';
import { parseConfig } from '../../src/config/load-config.js';
import { Exceptions } from '../../src/detect/exceptions.js';
import { Throttle, type SuppressedWindow } from '../../src/detect/throttle.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const dir = () => mkdtempSync(`${tmpdir()}/nightjar-alerts-`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('alert log', () => {
  it('rotates by size keeping N files, and cuts a torn tail at open', () => {
    const d = dir();
    const log = new AlertLog(`${d}/a.ndjson`, { maxBytes: 200, keep: 2 }, () => undefined);
    for (let i = 0; i < 20; i++) {
      log.append({ i, pad: 'x'.repeat(50) });
      log.flush();
    }
    log.close();
    expect(readdirSync(d).sort()).toEqual(['a.ndjson', 'a.ndjson.1', 'a.ndjson.2']);
    const all = ['a.ndjson.2', 'a.ndjson.1', 'a.ndjson'].flatMap((f) => readFileSync(`${d}/${f}`, 'utf8').split('\n').filter(Boolean));
    expect(all.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: all.length }, (_, k) => 20 - all.length + k));
    appendFileSync(`${d}/a.ndjson`, '{"torn": tr');
    const again = new AlertLog(`${d}/a.ndjson`, { maxBytes: 1e6, keep: 2 });
    expect(again.tornLinesRepaired).toBe(1);
    again.append({ after: true });
    again.close();
    expect(readFileSync(`${d}/a.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))).toContainEqual({ after: true });
  });
});

describe('throttle', () => {
  it('admits max_signals per interval and reports the rest once per window', () => {
    const out: SuppressedWindow[] = [];
    const t = new Throttle((s) => out.push(s));
    const admitted = Array.from({ length: 150 }, (_, i) => t.admit('r', 'R', 100, 60000, 1000 + i)).filter(Boolean).length;
    expect(admitted).toBe(100);
    expect(t.admit('r', 'R', 100, 60000, 61000)).toBe(true);
    expect(out).toEqual([{ ruleId: 'r', ruleName: 'R', start: 1000, end: 61000, suppressed: 50, allowed: 100 }]);
    t.sweep(200000, true);
    expect(out).toHaveLength(1);
  });
});

describe('exceptions', () => {
  const cfg = parseConfig(`
rules:
  exceptions:
    - rule_id: r1
      entries:
        - { field: container.id, type: match, value: c1 }
    - entries:
        - { field: process.args, type: match_any, value: [health, probe] }
        - { field: user.id, type: match, value: "0" }
    - rule_id: r2
      entries:
        - { field: process.executable, type: wildcard, value: "/opt/*/nc" }
        - { field: container.id, type: exists, operator: excluded }
`, 'test.yaml');
  const ex = new Exceptions(cfg.rules.exceptions);
  const ev = (o: object) => ({ host: { os: { type: 'linux' } }, ...o });

  it('matches per rule and globally, AND within an item, OR across items', () => {
    expect(ex.excepted('r1', [ev({ container: { id: 'c1' } })])).toBe(true);
    expect(ex.excepted('r2', [ev({ container: { id: 'c1' } })])).toBe(false);
    expect(ex.excepted('r2', [ev({ process: { args: ['nc', 'probe'] }, user: { id: '0' } })])).toBe(true);
    expect(ex.excepted('r2', [ev({ process: { args: ['nc', 'probe'] }, user: { id: '1000' } })])).toBe(false);
    expect(ex.excepted('r2', [ev({ process: { executable: '/opt/x/nc' } })])).toBe(true);
    expect(ex.excepted('r2', [ev({ process: { executable: '/opt/x/nc' }, container: { id: 'c9' } })])).toBe(false);
  });

  it('rejects a broken config with the path and the reason', () => {
    expect(() => parseConfig('rules:\n  exceptions:\n    - entries:\n        - { field: a, type: match }\n', 'c.yaml')).toThrow(/rules\.exceptions\.0\.entries\.0: type match needs a value/);
    expect(() => parseConfig('alert:\n  path: /x\n', 'c.yaml')).toThrow(/c\.yaml: \(top\): Unrecognized key.* alert/);
    expect(() => parseConfig('alerts:\n  rotate: { keep: "5" }\n', 'c.yaml')).toThrow(/alerts\.rotate\.keep: Expected number/);
  });
});

describe('nightjar tail', () => {
  const alert = (n: number) => JSON.stringify({
    '@timestamp': '2026-01-01T00:00:00.000Z', event: { kind: 'alert', severity: 73 }, rule: { name: 'Netcat Listener Established Inside A Container' },
    host: { hostname: 'h1' }, container: { id: 'c'.repeat(64) }, user: { id: '0' }, process: { name: 'nc', pid: n, command_line: `nc -l -p ${n}` },
    nightjar: { alert: { severity: 'high' } },
  });

  it('prints readable lines and filters', async () => {
    const d = dir();
    writeFileSync(`${d}/a.ndjson`, `${alert(1)}\n{"broken\n${alert(2)}\n`);
    const r = await execa(NIGHTJAR_BIN, ['tail', `${d}/a.ndjson`]);
    expect(r.stdout.split('\n')).toEqual([
      '2026-01-01T00:00:00.000Z high     Netcat Listener Established Inside A Container host=h1 container=cccccccccccc user=0 nc[1]: nc -l -p 1',
      '2026-01-01T00:00:00.000Z high     Netcat Listener Established Inside A Container host=h1 container=cccccccccccc user=0 nc[2]: nc -l -p 2',
    ]);
    expect((await execa(NIGHTJAR_BIN, ['tail', `${d}/a.ndjson`, '--severity', 'low'])).stdout).toBe('');
    expect((await execa(NIGHTJAR_BIN, ['tail', `${d}/a.ndjson`, '--json', '--container', 'ccc'])).stdout.split('\n')).toHaveLength(2);
  });

  it('follows: a new alert, across a rotation, waiting out a torn line', async () => {
    const d = dir();
    const path = `${d}/a.ndjson`;
    writeFileSync(path, `${alert(1)}\n`);
    const tail = execa(NIGHTJAR_BIN, ['tail', '-f', path], { reject: false });
    const seen: string[] = [];
    tail.stdout!.on('data', (b: Buffer) => seen.push(...b.toString().split('\n').filter(Boolean)));
    const waitFor = async (n: number) => {
      const t0 = Date.now();
      while (seen.length < n && Date.now() - t0 < 3000) await sleep(20);
    };
    await waitFor(1);
    const half = alert(2);
    appendFileSync(path, half.slice(0, 40));
    await sleep(400);
    expect(seen).toHaveLength(1);
    appendFileSync(path, `${half.slice(40)}\n`);
    await waitFor(2);
    expect(seen).toHaveLength(2);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${alert(3)}\n`);
    await waitFor(3);
    tail.kill('SIGTERM');
    await tail;
    expect(seen.map((l) => /nc\[(\d+)\]/.exec(l)![1])).toEqual(['1', '2', '3']);
  });
});

describe('detector', () => {
  it('reports sequences evicted at the per-rule cap in its counters', async () => {
    const { Detector } = await import('../../src/detect/detector.js');
    const { loadRules } = await import('../../src/rules/load-rules.js');
    const { Counters } = await import('../../src/util/counters.js');
    const { REPO } = await import('../helpers/paths.js');
    const { rules } = await loadRules([`${REPO}/rules`]);
    const counters = new Counters();
    const log = new AlertLog(`${dir()}/a.ndjson`, { maxBytes: 1e6, keep: 1 });
    const d = new Detector(rules, [], log, counters);
    const t = Date.now();
    for (let i = 0; i < 10005; i++) {
      d.onEvent({
        '@timestamp': new Date(t + i).toISOString(),
        event: { category: ['process'], type: ['start'], action: 'exec', sequence: i },
        host: { os: { type: 'linux' } }, process: { pid: i, entity_id: `e${i}`, name: 'nc', args: ['nc', '-l', '-p', '1'] },
      });
    }
    d.tick(t + 10005);
    expect(d.pendingSequences()).toBe(10000);
    expect(counters.get('sequences_evicted')).toBe(5);
    d.stop();
    log.close();
  });
});
