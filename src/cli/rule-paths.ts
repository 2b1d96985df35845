// Which rule files the agent and `replay` load: the bundled ones plus --rules / config paths.
// A bad file refuses the start as `rules check` does: each diagnostic (file:line:col code) on
// stderr, then an error naming the count and the first location.

import { existsSync } from 'node:fs';
import { loadRules, formatDiagnostic, type LoadedRule } from '../rules/load-rules.js';
import { BUNDLED_RULES_DIR } from '../util/paths.js';
import { CodedError } from '../util/coded-error.js';

export async function loadRuleSet(extra: string[] = [], stderr: (text: string) => void = (t) => process.stderr.write(t)): Promise<LoadedRule[]> {
  const paths = [BUNDLED_RULES_DIR, ...extra].filter((p, i) => i > 0 || existsSync(p));
  const { rules, diagnostics } = await loadRules(paths);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    for (const d of errors) stderr(`${formatDiagnostic(d)}\n`);
    const first = errors[0]!;
    const at = `${first.file}:${first.line}:${first.col}`;
    throw new CodedError('RULES_INVALID', `invalid rules: ${errors.length} error(s), first at ${at}: ${first.code}: ${first.message}`, at);
  }
  return rules;
}
