// `nightjar replay FILE|-`: recorded ECS events (NDJSON, in time order) through the rules;
// alerts as NDJSON on stdout.

import type { EcsDoc } from '../ecs/ecs-event.js';
import { parseArgs } from 'node:util';
import { alertDoc } from '../detect/alert-doc.js';
import { RuleEngine } from '../detect/rule-engine.js';
import { linePrefilter } from '../eql/index.js';
import { readNdjson, type NdjsonStats } from './ndjson-input.js';
import { loadRuleSet } from './rule-paths.js';
import { REPLAY_SPEC } from './command-specs.js';
import { CliError } from './usage-error.js';

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, options: REPLAY_SPEC.options, allowPositionals: true, strict: true,
  });
  if (positionals.length !== 1) throw new CliError(`usage: ${REPLAY_SPEC.usage}`);
  const rules = await loadRuleSet(values.rules ?? []);
  const out = process.stdout;
  let pending = '';
  const engine = new RuleEngine<EcsDoc>(rules, (d) => {
    pending += `${JSON.stringify(alertDoc(d.rule, d.events))}\n`;
  });
  const stats: NdjsonStats = { lines: 0, malformed: 0, skipped: 0 };
  // Lines no rule can match are not parsed (docs/replay-prefilter.md).
  const prefilter = linePrefilter(rules.map((r) => r.query));
  for await (const batch of readNdjson(positionals[0]!, stats, prefilter)) {
    for (const doc of batch) engine.push(doc);
    if (pending.length > 65536) {
      if (!out.write(pending)) await new Promise((r) => out.once('drain', r));
      pending = '';
    }
  }
  // the input ended: sequences waiting out a trailing missing stage ![...] match now
  engine.finish();
  if (pending) out.write(pending);
  if (stats.malformed) process.stderr.write(`nightjar: ${stats.malformed} malformed line(s) skipped\n`);
  return stats.malformed ? 1 : 0;
}
