// `nightjar query 'EQL' FILE|-`: one EQL query over ECS events; each match as one NDJSON line.

import { parseArgs } from 'node:util';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { CompiledQuery, parseQuery, sortInEqlOrder } from '../eql/index.js';
import { readNdjson, type NdjsonStats } from './ndjson-input.js';
import { QUERY_SPEC } from './command-specs.js';
import { CliError } from './usage-error.js';

export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: QUERY_SPEC.options, allowPositionals: true, strict: true });
  const [source, file] = positionals;
  if (source === undefined || file === undefined || positionals.length > 2) throw new CliError(`usage: ${QUERY_SPEC.usage}`);
  // an invalid query ends here with its EqlError (exit 2 by its code)
  const compiled = new CompiledQuery<EcsDoc>(parseQuery(source), { categoryField: 'event.category' });
  const stats: NdjsonStats = { lines: 0, malformed: 0, skipped: 0 };
  const events: EcsDoc[] = [];
  for await (const batch of readNdjson(file, stats)) events.push(...batch);
  const ordinal = sortInEqlOrder(events);
  const size = values.size === undefined ? Infinity : Number(values.size);
  if (Number.isNaN(size) || size < 0) throw new CliError('--size takes a non-negative number');
  const result = compiled.run(events, ordinal, size);
  const out: string[] = [];
  if (result.kind === 'events') for (const e of result.events) out.push(JSON.stringify(e));
  else for (const s of result.sequences) out.push(JSON.stringify({ sequence: s.events, join_keys: s.joinKeys }));
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  return stats.malformed ? 1 : 0;
}
