// Elasticsearch's EQL spec suite (../shared/eql-conformance) run through our engine.
// Loading and comparison rules follow that folder's README.

import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { EqlError } from '../../src/eql/errors.js';
import type { FieldCatalog, FieldInfo, FieldType } from '../../src/eql/field-types.js';
import { parseQuery } from '../../src/eql/parser.js';
import { CompiledQuery } from '../../src/eql/query-runner.js';
import type { Ordinal } from '../../src/eql/sequence-matcher.js';
import type { Value } from '../../src/eql/values.js';
import { EQL_SUITE } from '../helpers/shared-corpus.js';

const DIR = EQL_SUITE ?? '(EQL suite not found: NIGHTJAR_EQL_SUITE or ../shared/eql-conformance)';
type Ev = Record<string, unknown>;

export interface Case {
  suite: string;
  name: string;
  query: string;
  expected: number[][];
  joinKeys?: string[];
  size: number;
}

export interface CaseResult {
  case: Case;
  ok: boolean;
  reason?: string;
  got?: number[];
}

interface Suite {
  name: string;
  files: string[];
  data: string[];
  mappings: string[];
  idField: string;
}

export const SUITES: Suite[] = [
  { name: 'main', files: ['test_queries.toml', 'additional_test_queries.toml', 'test_queries_date.toml'], data: ['test_data.json'], mappings: ['data/endgame-140.mapping'], idField: 'serial_event_id' },
  { name: 'extra', files: ['test_extra.toml'], data: ['data/extra.data'], mappings: ['data/extra.mapping'], idField: 'sequence' },
  { name: 'missing', files: ['test_missing_events.toml'], data: ['data/missing-events.data'], mappings: ['data/missing-events.mapping'], idField: 'sequence' },
];

function readCases(suite: Suite): Case[] {
  const out: Case[] = [];
  for (const f of suite.files) {
    // test_extra.toml writes null inside arrays, which TOML has not: read it as "null".
    const text = readFileSync(`${DIR}/${f}`, 'utf8')
      .split("'''")
      .map((part, k) => (k % 2 ? part : part.replace(/(?<=[[,\s])null(?=\s*[,\]])/g, '"null"')))
      .join("'''");
    const doc = parseToml(text) as { queries?: Record<string, unknown>[] };
    for (const q of doc.queries ?? []) {
      const ids = q.expected_event_ids as number[] | number[][];
      out.push({
        suite: suite.name,
        name: String(q.name),
        query: String(q.query),
        expected: Array.isArray(ids[0]) ? (ids as number[][]) : [ids as number[]],
        joinKeys: Array.isArray(q.join_keys) && q.join_keys.length ? (q.join_keys as unknown[]).map(String) : undefined,
        size: typeof q.size === 'number' ? q.size : 50,
      });
    }
  }
  return out;
}

function readEvents(suite: Suite): Ev[] {
  const events: Ev[] = [];
  for (const f of suite.data) {
    const text = readFileSync(`${DIR}/${f}`, 'utf8').split('\n').filter((l) => !l.trim().startsWith('//')).join('\n');
    for (const e of JSON.parse(text) as Ev[]) {
      if (f === 'test_data.json') e['@timestamp'] = Math.floor(Number(e.timestamp) / 10000) - 11644473600000;
      else {
        const t = e['@timestamp'];
        e['@timestamp'] = typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : typeof t === 'string' ? Date.parse(t) : t;
      }
      events.push(e);
    }
  }
  return events;
}

function readMapping(suite: Suite): Map<string, FieldInfo> {
  const out = new Map<string, FieldInfo>();
  const walk = (props: Record<string, { type?: string; properties?: Record<string, unknown>; null_value?: string; path?: string }>, prefix: string) => {
    for (const [k, v] of Object.entries(props)) {
      const path = prefix + k;
      if (v.properties) walk(v.properties as never, `${path}.`);
      else if (v.type === 'alias') out.set(path, { type: 'other' });
      else if (v.type) {
        const t = v.type.startsWith('[') || v.type === 'text' || v.type === 'wildcard' ? 'keyword' : v.type;
        const type: FieldType = (['keyword', 'long', 'double', 'ip', 'version', 'date', 'boolean'] as string[]).includes(t)
          ? (t as FieldType) : t === 'integer' || t === 'short' ? 'long' : t === 'float' || t === 'half_float' || t === 'scaled_float' ? 'double' : 'other';
        out.set(path, v.null_value !== undefined ? { type, nullValue: v.null_value } : { type });
      }
    }
  };
  for (const f of suite.mappings) {
    const text = readFileSync(`${DIR}/${f}`, 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    walk((JSON.parse(text) as { properties: never }).properties, '');
  }
  return out;
}

function catalog(mapping: Map<string, FieldInfo>, events: Ev[]): FieldCatalog {
  const dynamic = new Map<string, FieldInfo>();
  const visit = (o: unknown, prefix: string) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      const v = Array.isArray(o) ? o[0] : o;
      if (!dynamic.has(prefix)) dynamic.set(prefix, { type: typeof v === 'number' ? (Number.isInteger(v) ? 'long' : 'double') : typeof v === 'boolean' ? 'boolean' : 'keyword' });
      return;
    }
    for (const [k, v] of Object.entries(o)) visit(v, prefix ? `${prefix}.${k}` : k);
  };
  for (const e of events) visit(e, '');
  return { lookup: (p) => mapping.get(p) ?? dynamic.get(p) };
}

function keyString(v: Value, type: FieldType | undefined): string {
  if (v === null) return 'null';
  if (type === 'date' && typeof v === 'number') return new Date(v).toISOString();
  return String(v);
}

export function runSuite(suite: Suite): CaseResult[] {
  const events = readEvents(suite);
  const mapping = readMapping(suite);
  const fields = catalog(mapping, events);
  const ordinal = (e: Ev): Ordinal => ({ ts: e['@timestamp'] as number, tb: e[suite.idField] as number });
  events.sort((a, b) => {
    const x = ordinal(a);
    const y = ordinal(b);
    return x.ts - y.ts || (x.tb as number) - (y.tb as number);
  });
  const id = (e: Ev | null) => (e === null ? -1 : (e[suite.idField] as number));
  return readCases(suite).map((c): CaseResult => {
    let got: number[];
    let keys: string[] = [];
    try {
      const q = parseQuery(c.query);
      const r = new CompiledQuery<Ev>(q, { fields, categoryField: 'event_type' }).run(events, ordinal, c.size);
      if (r.kind === 'events') got = r.events.map(id);
      else {
        got = r.sequences.flatMap((s) => s.events.map(id));
        const byTypes = q.type === 'sequence' ? [...q.by, ...(q.stages[0]?.by ?? [])].map((k) => fields.lookup(k.path.join('.'))?.type) : [];
        keys = r.sequences.flatMap((s) => s.joinKeys.map((v, i) => keyString(v, byTypes[i])));
      }
    } catch (e) {
      const reason = e instanceof EqlError ? `${e.code}: ${e.message}` : `crash: ${(e as Error).stack}`;
      return { case: c, ok: false, reason };
    }
    const idsOk = c.expected.some((exp) => exp.length === got.length && exp.every((v, i) => v === got[i]));
    if (!idsOk) return { case: c, ok: false, got, reason: `ids ${JSON.stringify(got)} != expected ${JSON.stringify(c.expected.length === 1 ? c.expected[0] : c.expected)}` };
    if (c.joinKeys && JSON.stringify(keys) !== JSON.stringify(c.joinKeys)) {
      return { case: c, ok: false, got, reason: `join keys ${JSON.stringify(keys)} != expected ${JSON.stringify(c.joinKeys)}` };
    }
    return { case: c, ok: true, got };
  });
}

export function runAll(): CaseResult[] {
  return SUITES.flatMap(runSuite);
}
