// Rules read live events, not documents (issue 14): every field read from a live event equals the
// same read from its document, the fast path builds no document, and the recording raises the
// same alerts, byte for byte, whether the rules see live events or documents.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlertLog } from '../../src/alerts/alert-log.js';
import { Detector } from '../../src/detect/detector.js';
import type { RuleInput } from '../../src/detect/rule-engine.js';
import { LiveEvent } from '../../src/ecs/live-event.js';
import { readField } from '../../src/eql/index.js';
import { referencedFields } from '../../src/rules/field-report.js';
import { loadRules, type LoadedRule } from '../../src/rules/load-rules.js';
import { Counters } from '../../src/util/counters.js';
import { REPO } from '../helpers/paths.js';
import { ndjson, normalizeAlert, replayFixture } from '../helpers/pipeline-fixture.js';
import { DETECTION_RULES } from '../helpers/shared-corpus.js';

const FAST = [
  'event.category', 'event.type', 'event.action', 'event.kind', 'event.sequence', 'container.id',
  'host.os.type', 'host.id', 'host.name', 'host.hostname',
  ...['pid', 'entity_id', 'name', 'executable', 'args', 'args_count', 'command_line', 'working_directory'].flatMap((f) => [`process.${f}`, `process.parent.${f}`]),
];
const SLOW = ['user.id', 'user.name', 'user.Ext.real.id', 'process.exit_code', 'destination.port', 'source.ip', 'process.entry_leader.entry_meta.type', 'process.thread.capabilities.effective', '@timestamp', 'event.id'];

async function ruleSet(): Promise<LoadedRule[]> {
  const dirs = [`${REPO}/rules`];
  if (DETECTION_RULES) dirs.push(`${DETECTION_RULES}/rules/linux`);
  // only the EQL rules of Elastic's directory load; the others are refused with diagnostics
  return (await loadRules(dirs)).rules;
}

/** Captures what the pipeline hands the detector. */
class Capture extends Detector {
  readonly seen: RuleInput[] = [];
  override onEvent(ev: RuleInput, wallMs?: number): void {
    this.seen.push(ev);
    super.onEvent(ev, wallMs);
  }
}

function alertsOf(feed: (d: Detector) => void, rules: LoadedRule[]): string[] {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-live-`);
  const log = new AlertLog(`${dir}/alerts.ndjson`, { maxBytes: 1 << 30, keep: 1 });
  const d = new Detector(rules, [], log, new Counters());
  feed(d);
  d.stop();
  log.close();
  return ndjson(readFileSync(`${dir}/alerts.ndjson`, 'utf8')).map((a) => JSON.stringify(normalizeAlert(a)));
}

describe('live events', () => {
  it('read every field exactly as their documents do; the fast path builds no document', async () => {
    const rules = await ruleSet();
    const paths = new Set([...FAST, ...SLOW, ...rules.flatMap((r) => [...referencedFields(r.query).keys()])]);
    const log = new AlertLog(`${mkdtempSync(`${tmpdir()}/nightjar-live-`)}/alerts.ndjson`, { maxBytes: 1 << 30, keep: 1 });
    const capture = new Capture([], [], log, new Counters());
    replayFixture({ detector: capture });
    log.close();
    const live = capture.seen.filter((e): e is LiveEvent => e instanceof LiveEvent);
    expect(live.length).toBe(20);
    expect(live.length).toBe(capture.seen.length);
    for (const e of live) {
      for (const f of FAST) e.read(f.split('.'));
      expect(e.documented).toBe(false);
      const doc = structuredClone(e.doc());
      for (const p of paths) {
        const path = p.split('.');
        expect({ p, v: e.read(path) }).toEqual({ p, v: readField(doc, path) });
      }
    }
    expect(paths.size).toBeGreaterThan(DETECTION_RULES ? 60 : FAST.length);
    if (DETECTION_RULES) expect(rules.length).toBeGreaterThan(280);
  });

  it('raise the same alerts, byte for byte, as the documents they stand for', async () => {
    const rules = await ruleSet();
    const fromLive = alertsOf((d) => replayFixture({ detector: d }), rules);
    const fromDocs = alertsOf((d) => replayFixture({ sinks: [(doc, wallMs) => d.onEvent(structuredClone(doc), wallMs)] }), rules);
    expect(fromLive.length).toBeGreaterThan(0);
    expect(fromLive).toEqual(fromDocs);
  });
});
