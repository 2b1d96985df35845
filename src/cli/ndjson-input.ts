// NDJSON from a file or stdin ('-') -> documents. Malformed lines are counted and reported
// on stderr with their line number, never fatal.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { CliError } from './usage-error.js';

export interface NdjsonStats {
  lines: number;
  malformed: number;
}

export async function* readNdjson(path: string, stats: NdjsonStats): AsyncGenerator<EcsDoc> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    if (path === '-') resolve();
    else input.once('open', () => resolve()).once('error', (e: Error) => reject(new CliError(`${path}: ${e.message}`, 1)));
  });
  await opened;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    stats.lines++;
    if (!line.trim()) continue;
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
    yield doc as EcsDoc;
  }
}
