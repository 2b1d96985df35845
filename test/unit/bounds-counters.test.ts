// Every bound moves its counter: each structure is driven past its bound and the registry
// series, and its line on /metrics, must move. Label values are escaped (a hostile rule id).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NdjsonWriter } from '../../src/agent/ndjson-writer.js';
import { CgroupIndex } from '../../src/container/cgroup-index.js';
import { ContainerResolver } from '../../src/container/container-resolver.js';
import { RuleEngine } from '../../src/detect/rule-engine.js';
import { type MatcherStage, SequenceMatcher } from '../../src/eql/sequence-matcher.js';
import { prometheusText } from '../../src/metrics/metrics-server.js';
import { ExecAssembler } from '../../src/probe/exec-assembler.js';
import { RecordDecoder } from '../../src/probe/record-decoder.js';
import { NO_SESSION, type ProcessInfo } from '../../src/process/process-info.js';
import { ProcessTable } from '../../src/process/process-table.js';
import { loadRules } from '../../src/rules/load-rules.js';
import { COUNTERS, Counters, escapeLabelValue } from '../../src/util/counters.js';
import { execEvent, networkEvent } from '../helpers/ecs-fixtures.js';
import { REPO } from '../helpers/paths.js';

const text = (c: Counters) => prometheusText({ counters: c, gauges: () => ({}), unhealthy: () => undefined });
/** the value of one exposition line, by its full series name */
function exposed(c: Counters, series: string): number | undefined {
  const line = text(c).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const proc = (pid: number): ProcessInfo => ({
  ...NO_SESSION, pid, ppid: 1, entityId: `e${pid}`, startTicks: pid, name: 'x', executable: '/bin/x', args: ['x'], argsCount: 1, argsTruncated: false,
  uid: 0, euid: 0, gid: 0, egid: 0, cgroupId: undefined, exitedAtMs: undefined,
});

interface Ev { kind: string; k: string; ts: number }
const stage = (kind: string): MatcherStage => ({ matches: (e) => (e as Ev).kind === kind, keys: [(e) => (e as Ev).k], optional: [false] });

describe('every bound moves its counter', () => {
  it('process table: eviction at the size bound', () => {
    const c = new Counters();
    const t = new ProcessTable(c, 2);
    for (const pid of [1, 2, 3, 4]) t.set(proc(pid));
    expect(t.size).toBe(2);
    expect(c.get('process_table_evicted')).toBe(2);
    expect(exposed(c, 'nightjar_process_table_evicted_total')).toBe(2);
  });

  it('exec assembler: an exec completed with its argv chunk and filename missing', () => {
    const c = new Counters();
    const asm = new ExecAssembler(c);
    asm.complete({ kind: 'exec', pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 1, argLen: 10, startTicks: 1, cgroupId: '1', exeName: 'x' });
    expect(c.get('exec_incomplete')).toBe(1);
    // and as the agent wires it: an exec header whose argv and filename records were lost
    const d = new RecordDecoder(c, () => undefined);
    d.line(JSON.stringify({ type: 'printf', data: 'E 7 9 1 0 0 0 0 2 18 5 1 true\n' }), 0);
    expect(c.get('exec_incomplete')).toBe(2);
    expect(exposed(c, 'nightjar_exec_incomplete_total')).toBe(2);
  });

  it('record decoder: a partial exec whose header never comes is orphaned', () => {
    const c = new Counters();
    const d = new RecordDecoder(c, () => undefined);
    d.line(JSON.stringify({ type: 'printf', data: 'A 1 5 0 2f62696e2f78\n' }), 0);
    d.line('not json', 0);
    d.tick(10_000);
    expect(c.get('exec_partials_orphaned')).toBe(1);
    expect(exposed(c, 'nightjar_exec_partials_orphaned_total')).toBe(1);
    expect(exposed(c, 'nightjar_probe_lines_malformed_total')).toBe(1);
  });

  it('sequence matcher: a next stage past maxspan is rejected, until cancels pending ones', () => {
    const c = new Counters();
    const m = new SequenceMatcher<Ev>([stage('a'), stage('b')], stage('u'), 10, () => undefined, 100, [], c);
    const push = (kind: string, k: string, ts: number) => m.push({ kind, k, ts }, { ts, tb: ts });
    push('a', 'x', 1);
    push('b', 'x', 50);
    push('a', 'y', 60);
    push('a', 'y', 61);
    push('u', 'y', 62);
    expect(c.get('sequences_maxspan_rejected')).toBe(1);
    // the later start keeps the earlier one: both pending until `until`
    expect(c.get('sequences_until_cancelled')).toBe(2);
    expect(m.stats).toMatchObject({ maxspanRejected: 1, untilCancelled: 2 });
    expect(exposed(c, 'nightjar_sequences_maxspan_rejected_total')).toBe(1);
    expect(exposed(c, 'nightjar_sequences_until_cancelled_total')).toBe(2);
  });

  it('rule engine: the expiry it runs while events are pushed is counted', async () => {
    const c = new Counters();
    const { rules } = await loadRules([`${REPO}/rules`]);
    const engine = new RuleEngine(rules, () => undefined, { counters: c });
    const nc = { entity: 'nc1', pid: 10, args: ['nc', '-l', '-p', '4444'] };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    engine.push(execEvent(nc), t0);
    expect(engine.pendingSequences()).toBe(1);
    // a day later (past the look-back), until the engine's own expiry runs (every 1024 events)
    for (let i = 1; i < 1024; i++) engine.push(networkEvent({ entity: `o${i}`, pid: 100 + i, args: ['curl'] }, 'connection_attempted'), t0 + 86_400_000);
    expect(engine.pendingSequences()).toBe(0);
    expect(c.get('sequences_expired')).toBe(1);
    expect(exposed(c, 'nightjar_sequences_expired_total')).toBe(1);
  });

  it('container resolver: each cache evicts at its bound, bad or excess cgroup names are dropped', () => {
    const c = new Counters();
    const root = mkdtempSync(`${tmpdir()}/nightjar-hostroot-`);
    try {
      const r = new ContainerResolver(root, c, { names: 2, verdicts: 2, metadata: 1, fields: 2 });
      const id = (n: number) => `${n}`.padStart(64, 'a');
      // three container cgroups: each fills names, verdicts and (resolved) metadata
      for (const n of [1, 2, 3]) {
        r.addName(`${n}`, 1, 'docker');
        r.addName(`${n}`, 0, id(n));
        r.resolve(`${n}`);
      }
      // three host cgroups: cached fields (null)
      for (const n of [4, 5, 6]) {
        r.addName(`${n}`, 0, 'init.scope');
        r.resolve(`${n}`);
      }
      for (const cache of ['names', 'verdicts', 'metadata', 'fields'] as const) {
        expect(c.get('container_cache_evicted', { cache }), cache).toBeGreaterThan(0);
        expect(exposed(c, `nightjar_container_cache_evicted_total{cache="${cache}"}`), cache).toBeGreaterThan(0);
      }
      r.addName('7', -1, 'x');
      for (let level = 0; level < 17; level++) r.addName('8', level + 1, `d${level}`);
      expect(c.get('cgroup_names_dropped')).toBe(2);
      expect(exposed(c, 'nightjar_cgroup_names_dropped_total')).toBe(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('cgroup index: a walk that stops at the entry bound', async () => {
    const c = new Counters();
    const index = new CgroupIndex('', c, 1);
    // the agent's own cgroup2 mount: a root and at least one cgroup below it
    expect(index.root).toBeDefined();
    await index.refresh(0);
    expect(c.get('cgroup_index_truncated')).toBe(1);
    expect(exposed(c, 'nightjar_cgroup_index_truncated_total')).toBe(1);
  });

  it('events file: documents over the buffer bound are dropped', async () => {
    const c = new Counters();
    const dir = mkdtempSync(`${tmpdir()}/nightjar-events-`);
    try {
      const w = new NdjsonWriter(`${dir}/e.ndjson`, 10, undefined, undefined, c);
      w.write({ a: 'first' });
      w.write({ a: 'second' });
      await w.close();
      expect(c.get('events_file_dropped')).toBe(1);
      expect(w.dropped).toBe(1);
      expect(exposed(c, 'nightjar_events_file_dropped_total')).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('counter registry', () => {
  const hostile = 'r1",rule="forged"} 9\nnightjar_fake_total 1\\';

  it('escapes label values per the Prometheus text format', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const c = new Counters();
    c.inc('alerts_matched', { rule: hostile });
    c.inc('alerts_matched', { rule: hostile });
    const lines = text(c).split('\n');
    const matched = lines.filter((l) => l.startsWith('nightjar_alerts_matched_total{'));
    expect(matched).toEqual(['nightjar_alerts_matched_total{rule="r1\\",rule=\\"forged\\"} 9\\nnightjar_fake_total 1\\\\"} 2']);
    expect(lines.some((l) => l.startsWith('nightjar_fake_total'))).toBe(false);
    expect(c.get('alerts_matched', { rule: hostile })).toBe(2);
  });

  it('writes labels in the table order in snapshot keys, whatever the object order', () => {
    const c = new Counters();
    c.inc('alert_log_errors', { code: 'EFBIG', op: 'write' });
    c.inc('alert_log_errors', { op: 'write', code: 'EFBIG' });
    c.inc('events', { kind: 'exec' }, 3);
    expect(c.snapshot()).toEqual({ 'alert_log_errors{op="write",code="EFBIG"}': 2, 'events{kind="exec"}': 3 });
  });

  it('exposes HELP and TYPE for every counter, unlabeled ones at 0 before they move', () => {
    const out = text(new Counters());
    expect(out).toMatch(/^# HELP nightjar_process_table_evicted_total \S.*$/m);
    expect(out).toMatch(/^# TYPE nightjar_process_table_evicted_total counter$/m);
    expect(out).toMatch(/^nightjar_probe_lines_malformed_total 0$/m);
    expect(out).toMatch(/^# TYPE nightjar_events_total counter$/m);
    expect(out).not.toMatch(/^nightjar_events_total /m);
  });

  it('documents every counter in docs/metrics.md', () => {
    const doc = readFileSync(`${REPO}/docs/metrics.md`, 'utf8');
    expect(Object.keys(COUNTERS).filter((n) => !doc.includes(`\`nightjar_${n}_total\``))).toEqual([]);
  });

  it('refuses unknown names and missing labels at compile time', () => {
    const c = new Counters();
    // @ts-expect-error not a counter of the table
    c.inc('no_such_counter');
    // @ts-expect-error events has a kind label
    c.inc('events');
    // @ts-expect-error wrong label name
    c.inc('events', { type: 'exec' });
    // @ts-expect-error a key with the labels inlined
    c.inc('events{kind="exec"}');
    expect(typeof c.snapshot()).toBe('object');
  });
});
