// An event's place in EQL order, as Elasticsearch's defaults set it: @timestamp, then the
// tiebreaker event.sequence; the caller's arrival count stands in for a missing tiebreaker.

import type { Ordinal } from './sequence-matcher.js';
import { FieldSource } from './values.js';

const TIMESTAMP = ['@timestamp'];
const SEQUENCE = ['event', 'sequence'];

/** tsMs: @timestamp as epoch ms when the caller has it (the live agent), saving a re-parse. */
export function ordinalOf(ev: Record<string, unknown> | FieldSource, fallback: number, tsMs?: number): Ordinal {
  if (ev instanceof FieldSource) {
    const ts = tsMs ?? Date.parse(String(ev.read(TIMESTAMP)));
    const seq = ev.read(SEQUENCE);
    return { ts: Number.isNaN(ts) ? 0 : ts, tb: typeof seq === 'number' ? seq : fallback };
  }
  const ts = tsMs ?? Date.parse(String(ev['@timestamp']));
  const seq = (ev.event as { sequence?: unknown } | undefined)?.sequence;
  return { ts: Number.isNaN(ts) ? 0 : ts, tb: typeof seq === 'number' ? seq : fallback };
}

/** Sorts recorded events into EQL order in place (arrival order breaks ties); returns each one's ordinal. */
export function sortInEqlOrder<E extends Record<string, unknown>>(events: E[]): (e: E) => Ordinal {
  const ords = new Map(events.map((e, i) => [e, ordinalOf(e, i)]));
  events.sort((a, b) => {
    const x = ords.get(a)!;
    const y = ords.get(b)!;
    return x.ts - y.ts || (x.tb < y.tb ? -1 : x.tb > y.tb ? 1 : 0);
  });
  return (e) => ords.get(e)!;
}
