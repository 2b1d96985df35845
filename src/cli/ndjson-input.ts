// NDJSON from a file or stdin ('-') -> documents. Malformed lines are counted and reported
// on stderr with their line number, never fatal.

import { createReadStream } from 'node:fs';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { CliError } from './usage-error.js';

export interface NdjsonStats {
  lines: number;
  malformed: number;
  /** lines the prefilter proved irrelevant, not parsed */
  skipped: number;
}

/** Splits a byte stream into lines (\n or \r\n), one array per chunk read. */
async function* lineBatches(input: NodeJS.ReadableStream): AsyncGenerator<string[]> {
  input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const batch: string[] = [];
    let at = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
      batch.push(text.charCodeAt(nl - 1) === 13 ? text.slice(at, nl - 1) : text.slice(at, nl));
      at = nl + 1;
    }
    rest = text.slice(at);
    yield batch;
  }
  if (rest) yield [rest];
}

/**
 * Documents in batches (one per chunk read). `keep`, when given, sees each raw line first:
 * lines it rejects are counted, not parsed.
 */
export async function* readNdjson(path: string, stats: NdjsonStats, keep?: (line: string) => boolean): AsyncGenerator<EcsDoc[]> {
  const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') resolve();
    else input.once('open', () => resolve()).once('error', (e: Error) => reject(new CliError(`${path}: ${e.message}`, 'CLI_INPUT', path)));
  });
  await opened;
  for await (const batch of lineBatches(input)) {
    const docs: EcsDoc[] = [];
    for (const line of batch) {
      stats.lines++;
      if (!line.trim()) continue;
      if (keep && !keep(line)) {
        stats.skipped++;
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(line);
      } catch {
        doc = undefined;
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
        stats.malformed++;
        if (stats.malformed <= 10) process.stderr.write(`nightjar: ${path}:${stats.lines}: not a JSON object, skipped\n`);
        continue;
      }
      docs.push(doc as EcsDoc);
    }
    yield docs;
  }
}
