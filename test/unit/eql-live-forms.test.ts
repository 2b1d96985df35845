// Every EQL form, batch and live on the same cases: `nightjar query` (batch) and `nightjar replay`
// with the query as a rule (the live engine) must find the same matches, and the expected ones.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

type Doc = Record<string, unknown>;

const T0 = Date.parse('2026-01-01T00:00:00Z');
/** id, seconds after T0, category, other fields */
function ev(id: number, s: number, category: string, fields: Doc = {}): Doc {
  return { '@timestamp': new Date(T0 + s * 1000).toISOString(), event: { id: `e${id}`, sequence: id, category: [category], kind: 'event' }, ...fields };
}
const proc = (id: number, s: number, name: string, more: Doc = {}) => ev(id, s, 'process', { process: { name, entity_id: 'p1', ...more } });
const net = (id: number, s: number, more: Doc = {}) => ev(id, s, 'network', { process: { name: 'x', entity_id: 'p1' }, ...more });

interface Case {
  name: string;
  query: string;
  events: Doc[];
  /** each match: its event ids in stage order (missing stages left out) */
  expected: number[][];
}

const CASES: Case[] = [
  // backquoted field names
  { name: 'backquoted segment a.`0`.b', query: 'process where process.`0`.b == "x"', events: [proc(1, 0, 'a', { 0: { b: 'x' } }), proc(2, 1, 'a', { 0: { b: 'y' } })], expected: [[1]] },
  { name: 'backquoted whole name and keyword', query: 'process where `process.name` : "sh" and ?process.`sequence` == null', events: [proc(1, 0, 'sh'), proc(2, 1, 'bash')], expected: [[1]] },
  // wildcards with quotes, backslashes and regex metacharacters
  { name: 'wildcard with "', query: 'process where process.command_line : "*\\"quoted\\"*"', events: [proc(1, 0, 'a', { command_line: 'echo "quoted" x' }), proc(2, 1, 'a', { command_line: 'echo quoted' })], expected: [[1]] },
  { name: 'wildcard from an Elastic rule: like "*pack(\\"H*\\",*"', query: 'process where process.command_line like "*pack(\\"H*\\",*"', events: [proc(1, 0, 'perl', { command_line: 'perl -e print pack("H*","41")' }), proc(2, 1, 'perl', { command_line: 'perl -e pack(H*,41)' })], expected: [[1]] },
  { name: 'wildcard with \\', query: 'process where process.executable : "C:\\\\Windows\\\\*.exe"', events: [proc(1, 0, 'a', { executable: 'C:\\Windows\\cmd.exe' }), proc(2, 1, 'a', { executable: 'C:/Windows/cmd.exe' })], expected: [[1]] },
  { name: 'wildcard with regex metacharacters', query: 'process where process.name like~ "a.(b)+[c]*$"', events: [proc(1, 0, 'A.(B)+[C]x$'), proc(2, 1, 'aX(b)+[c]$'), proc(3, 2, 'a.(b)+[c]$')], expected: [[1], [3]] },
  // sequences with missing events
  {
    name: 'middle ![...]: an event between the neighbours rules the sequence out',
    query: 'sequence by process.entity_id with maxspan=1m [process where process.name == "a"] ![process where process.name == "m"] [network where true]',
    events: [proc(1, 0, 'a'), net(2, 1), proc(3, 2, 'a'), proc(4, 3, 'm'), net(5, 4), proc(6, 5, 'a'), proc(7, 6, 'm', { entity_id: 'other' }), net(8, 7)],
    expected: [[1, 2], [6, 8]],
  },
  {
    name: 'trailing ![...]: alerts once maxspan passes without the event',
    query: 'sequence by process.entity_id with maxspan=10s [process where process.name == "a"] ![network where true]',
    events: [proc(1, 0, 'a'), net(2, 5), proc(3, 20, 'a'), proc(4, 40, 'a'), net(5, 51), proc(6, 60, 'a')],
    expected: [[3], [4], [6]],
  },
  {
    name: 'leading and trailing ![...]: ruled out only when both are filled within maxspan',
    query: 'sequence with maxspan=10s ![process where process.name == "m"] [process where process.name == "a"] ![process where process.name == "m"]',
    events: [proc(1, 0, 'm'), proc(2, 5, 'a'), proc(3, 9, 'm'), proc(4, 30, 'a'), proc(5, 35, 'm'), proc(6, 60, 'm'), proc(7, 65, 'a')],
    expected: [[4], [7]],
  },
  {
    name: 'missing stage with runs and a two-stage run',
    query: 'sequence by process.entity_id with maxspan=1m [process where process.name == "a"] with runs=2 ![process where process.name == "m"] [network where true]',
    events: [proc(1, 0, 'a'), proc(2, 1, 'a'), net(3, 2), proc(4, 3, 'a'), proc(5, 4, 'm'), net(6, 5)],
    expected: [[1, 2, 3]],
  },
  // sample
  {
    name: 'sample by: one event per stage, any order, distinct events, per key',
    query: 'sample by process.entity_id [network where true] [process where process.name == "a"]',
    events: [proc(1, 0, 'a'), net(2, 1, { process: { name: 'x', entity_id: 'p2' } }), net(3, 2), proc(4, 3, 'a', { entity_id: 'p3' })],
    expected: [[3, 1]],
  },
  {
    name: 'sample by: an event matching two stages fills one',
    query: 'sample by process.entity_id [process where true] [process where process.name == "a"]',
    events: [proc(1, 0, 'a', { entity_id: 'k1' }), proc(2, 1, 'b', { entity_id: 'k2' }), proc(3, 2, 'b', { entity_id: 'k1' })],
    expected: [[3, 1]],
  },
  {
    name: 'sample with per-stage keys and three stages',
    query: 'sample [process where process.name == "a"] by process.entity_id [network where true] by process.entity_id [process where process.name == "c"] by process.entity_id',
    events: [proc(1, 0, 'c'), net(2, 1, { process: { name: 'x', entity_id: 'p9' } }), net(3, 2), proc(4, 3, 'a')],
    expected: [[4, 3, 1]],
  },
  // the forms that ran live before, for reference
  {
    name: 'sequence with until',
    query: 'sequence by process.entity_id [process where process.name == "a"] [network where true] until [process where process.name == "end"]',
    events: [proc(1, 0, 'a'), proc(2, 1, 'end'), net(3, 2), proc(4, 3, 'a'), net(5, 4)],
    expected: [[4, 5]],
  },
];

function ruleFile(query: string): string {
  return [
    '[rule]', 'rule_id = "live-forms-case"', 'name = "live forms case"', 'description = "x"', 'risk_score = 1',
    'severity = "low"', 'type = "eql"', 'from = "now-9m"', `query = '''\n${query}\n'''`, '',
  ].join('\n');
}

const ids = (events: (Doc | null)[]) => events.filter((e): e is Doc => e !== null).map((e) => Number(String((e.event as Doc).id).slice(1)));
const canon = (ms: number[][]) => ms.map((m) => JSON.stringify(m)).sort();

describe('every EQL form, batch (query) and live (replay), on the same cases', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = mkdtempSync(`${tmpdir()}/nightjar-forms-`);
    writeFileSync(`${dir}/events.ndjson`, `${c.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    writeFileSync(`${dir}/rule.toml`, ruleFile(c.query));
    const [batch, live] = await Promise.all([
      execa(NIGHTJAR_BIN, ['query', c.query, `${dir}/events.ndjson`]),
      execa(NIGHTJAR_BIN, ['replay', '--rules', `${dir}/rule.toml`, `${dir}/events.ndjson`]),
    ]);
    const batchMatches = batch.stdout.split('\n').filter(Boolean).map((l) => {
      const r = JSON.parse(l) as { sequence?: (Doc | null)[] } & Doc;
      return ids(r.sequence ?? [r]);
    });
    const liveMatches = live.stdout.split('\n').filter(Boolean)
      .map((l) => JSON.parse(l) as { rule: { id: string }; nightjar: { alert: { event_ids: string[] } } })
      .filter((a) => a.rule.id === 'live-forms-case')
      .map((a) => a.nightjar.alert.event_ids.map((x) => Number(x.slice(1))));
    expect(canon(batchMatches)).toEqual(canon(c.expected));
    expect(canon(liveMatches)).toEqual(canon(batchMatches));
  });
});
