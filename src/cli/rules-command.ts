// `nightjar rules check [FILES|DIRS]`: parse and validate rule files; exit 2 on any error.
// With --ecs FILE (or NIGHTJAR_ECS_FIELDS), fields a query uses that ECS lacks are warned about;
// with --fields EVENTS.ndjson, each rule's fields that no event of the recording carries are listed.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { carriedFields, fieldReport, referencedFields } from '../rules/field-report.js';
import { formatDiagnostic, loadRules } from '../rules/load-rules.js';
import { BUNDLED_RULES_DIR } from '../util/paths.js';
import { RULES_SPEC } from './command-specs.js';
import { type NdjsonStats, readNdjson } from './ndjson-input.js';
import { CliError } from './usage-error.js';

/** Every field path the events of an NDJSON file carry. */
async function fieldsCarried(path: string): Promise<{ carried: Set<string>; events: number }> {
  const stats: NdjsonStats = { lines: 0, malformed: 0, skipped: 0 };
  const carried = new Set<string>();
  let events = 0;
  for await (const docs of readNdjson(path, stats)) {
    events += docs.length;
    for (const f of carriedFields(docs)) carried.add(f);
  }
  return { carried, events };
}

export async function rulesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') throw new CliError(`usage: ${RULES_SPEC.usage}`);
  const { values, positionals } = parseArgs({ args: rest, options: RULES_SPEC.options, allowPositionals: true, strict: true });
  const ecsPath = values.ecs ?? process.env.NIGHTJAR_ECS_FIELDS;
  let ecs: Set<string> | undefined;
  if (ecsPath) {
    try {
      ecs = new Set(Object.keys((JSON.parse(readFileSync(ecsPath, 'utf8')) as { fields: object }).fields));
    } catch (e) {
      throw new CliError(`${ecsPath}: cannot read an ECS field list: ${(e as Error).message}`);
    }
  }
  const { rules, diagnostics } = await loadRules(positionals.length ? positionals : [BUNDLED_RULES_DIR]);
  for (const r of rules) {
    for (const f of ecs ? referencedFields(r.query).keys() : []) {
      if (!ecs!.has(f) && !f.startsWith('nightjar.')) {
        diagnostics.push({ file: r.file, line: 1, col: 1, code: 'RULE_FIELD', message: `field ${f} is not in ECS`, severity: 'warning' });
      }
    }
  }
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (values.fields) {
    const { carried, events } = await fieldsCarried(values.fields);
    const rows = fieldReport(rules, carried);
    for (const r of rows) {
      if (!r.missing.length) continue;
      const required = r.missingRequired.length ? `never carried: ${r.missingRequired.join(', ')}` : '';
      const optional = r.missing.filter((f) => !r.missingRequired.includes(f));
      const opt = optional.length ? `optional, never carried: ${optional.join(', ')}` : '';
      process.stdout.write(`${r.file}: ${[required, opt].filter(Boolean).join('; ')}\n`);
    }
    const covered = rows.filter((r) => !r.missingRequired.length).length;
    process.stdout.write(`${covered} of ${rows.length} rule(s) reference only fields that the ${events} event(s) of ${values.fields} carry\n`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(`${rules.length} rule(s) valid, ${errors} error(s), ${diagnostics.length - errors} warning(s)\n`);
  return errors ? 2 : 0;
}
