// Elastic's own Linux and Defend for Containers EQL rules load through the path `run` uses
// (loadRuleSet: parse, validate, compile) and build a rule engine; any refusal fails. From
// NIGHTJAR_DETECTION_RULES or ../shared/detection-rules; absent, one skip (under CI, a failure).

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/cli/rule-paths.js';
import { RuleEngine } from '../../src/detect/rule-engine.js';
import { execEvent, networkEvent } from '../helpers/ecs-fixtures.js';
import { corpusAbsent, DETECTION_RULES as RULES } from '../helpers/shared-corpus.js';

const DIRS = ['rules/linux', 'rules/integrations/cloud_defend'];

const eqlFiles = (dir: string) =>
  readdirSync(`${RULES}/${dir}`).filter((f) => f.endsWith('.toml')).sort()
    .map((f) => `${RULES}/${dir}/${f}`)
    .filter((f) => /^type = "eql"$/m.test(readFileSync(f, 'utf8')));

if (!RULES) corpusAbsent('Elastic detection-rules', 'NIGHTJAR_DETECTION_RULES', 'detection-rules');

if (RULES) describe('Elastic EQL rules load as run loads them', () => {
  it.each(DIRS)('every EQL rule under %s loads and runs', async (dir) => {
    const files = eqlFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    const rules = await loadRuleSet(files).catch((e: Error) => {
      throw new Error(`refused:\n${e.message}`);
    });
    process.stdout.write(`${dir}: ${files.length} EQL rule(s) loaded\n`);
    expect(rules.filter((r) => files.includes(r.file))).toHaveLength(files.length);
    // every rule's matcher sees events of its kind and the end of input without throwing
    const engine = new RuleEngine(rules, () => {});
    const p = { entity: 'e1', pid: 100, args: ['/bin/sh', '-c', 'id'] };
    for (const ev of [execEvent(p), networkEvent(p, 'connection_attempted'), execEvent({ ...p, args: ['nc', '-l', '-p', '1'] })]) engine.push(ev);
    engine.finish();
  });
});
