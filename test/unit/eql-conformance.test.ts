// Elasticsearch's own EQL suite (main, extra, missing events: 264 cases) through our engine.
// Known failures, with their reasons, are listed in docs/eql-conformance.md; a case failing
// that is not listed there is a regression. The suite is read from NIGHTJAR_EQL_SUITE or
// ../shared/eql-conformance; without it this is one skip (under CI=true, a failure).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/eql/parser.js';
import { printQuery } from '../../src/eql/printer.js';
import { REPO } from '../helpers/paths.js';
import { corpusAbsent, EQL_SUITE } from '../helpers/shared-corpus.js';
import { runAll } from '../conformance/suite.js';

const stripPos = (x: unknown): unknown =>
  JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'pos' ? undefined : v)));

// The suite is x-pack/plugin/eql/qa/common/src/main/resources/ of elastic/elasticsearch.
if (!EQL_SUITE) corpusAbsent("Elasticsearch's EQL suite", 'NIGHTJAR_EQL_SUITE', 'eql-conformance');

if (EQL_SUITE) describe('EQL conformance (Elasticsearch spec suite)', () => {
  const results = runAll();
  const failed = results.filter((r) => !r.ok);
  const known = new Set(
    [...readFileSync(`${REPO}/docs/eql-conformance.md`, 'utf8').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!),
  );

  it('passes at least 251 of the 264 cases, and fails none that is not documented', () => {
    const passed = results.length - failed.length;
    process.stdout.write(`conformance: ${passed} passed, ${failed.length} failed\n`);
    expect(results.length).toBe(264);
    expect(failed.map((r) => `${r.case.suite}/${r.case.name}: ${r.reason}`).filter((f) => !known.has(f.split(':')[0]!))).toEqual([]);
    expect(passed).toBeGreaterThanOrEqual(251);
  });

  it('prints every conformance query back to text that parses to the same AST', () => {
    const bad: string[] = [];
    for (const r of results) {
      const ast = parseQuery(r.case.query);
      const printed = printQuery(ast);
      let again: unknown;
      try {
        again = stripPos(parseQuery(printed));
      } catch (e) {
        bad.push(`${r.case.name}: ${printed} -> ${(e as Error).message}`);
        continue;
      }
      if (JSON.stringify(again) !== JSON.stringify(stripPos(ast))) bad.push(`${r.case.name}: ${printed}`);
    }
    expect(bad).toEqual([]);
  });
});
