// Which rule files the agent and `replay` load: the bundled ones plus --rules / config paths.

import { existsSync } from 'node:fs';
import { loadRules, formatDiagnostic, type LoadedRule } from '../rules/load-rules.js';
import { BUNDLED_RULES_DIR } from '../util/paths.js';
import { CliError } from './usage-error.js';

export async function loadRuleSet(extra: string[] = []): Promise<LoadedRule[]> {
  const paths = [BUNDLED_RULES_DIR, ...extra].filter((p, i) => i > 0 || existsSync(p));
  const { rules, diagnostics } = await loadRules(paths).catch((e: Error) => {
    throw new CliError(e.message);
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new CliError(`invalid rules:\n${errors.map(formatDiagnostic).join('\n')}`);
  return rules;
}
