// `nightjar rules check [FILES|DIRS]`: parse and validate rule files; exit 2 on any error.
// With --ecs FILE (or NIGHTJAR_ECS_FIELDS), fields a query uses that ECS lacks are warned about.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Expr, Query } from '../eql/index.js';
import { formatDiagnostic, loadRules } from '../rules/load-rules.js';
import { BUNDLED_RULES_DIR } from '../util/paths.js';
import { RULES_SPEC } from './command-specs.js';
import { CliError } from './usage-error.js';

function fieldsOf(q: Query): Set<string> {
  const out = new Set<string>();
  const walk = (e: Expr): void => {
    switch (e.type) {
      case 'field': out.add(e.path.join('.')); return;
      case 'literal': return;
      case 'not': case 'neg': walk(e.expr); return;
      case 'logical': case 'compare': case 'arith': walk(e.left); walk(e.right); return;
      case 'in': walk(e.expr); e.list.forEach(walk); return;
      case 'match': walk(e.expr); return;
      case 'call': e.args.forEach(walk); return;
    }
  };
  if (q.type === 'event') walk(q.query.where);
  else {
    for (const s of [...q.stages, ...(q.type === 'sequence' && q.until ? [q.until] : [])]) {
      walk(s.query.where);
      s.by.forEach(walk);
    }
    q.by.forEach(walk);
  }
  return out;
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
    for (const f of ecs ? fieldsOf(r.query) : []) {
      if (!ecs!.has(f) && !f.startsWith('nightjar.')) {
        diagnostics.push({ file: r.file, line: 1, col: 1, code: 'RULE_FIELD', message: `field ${f} is not in ECS`, severity: 'warning' });
      }
    }
  }
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(`${rules.length} rule(s) valid, ${errors} error(s), ${diagnostics.length - errors} warning(s)\n`);
  return errors ? 2 : 0;
}
