// The events file (--events): every ECS event as NDJSON. A fault is logged once; the writer
// counts its losses into the agent's counters (events_file_dropped, events_file_write_failed).

import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { NdjsonWriter } from './ndjson-writer.js';

/** Throws NdjsonWriterError when the path cannot be written. */
export function openEventsFile(path: string, counters: Counters, log: Logger): NdjsonWriter {
  let faulty = false;
  const onFault = (f: { message: string } | undefined, code?: string) => {
    if (code) counters.inc('events_file_errors', { code });
    if (f && !faulty) log.error('events file not writable: events lost and counted, retrying', { path, code, error: f.message });
    else if (!f) log.info('events file writable again', { path });
    faulty = Boolean(f);
  };
  return new NdjsonWriter(path, undefined, onFault, undefined, counters);
}
