// Once a second: pipeline upkeep (exited processes, detector windows, clock), output status,
// and log lines when alerts were written or the drop totals changed. Returns the stop.

import type { Delivery } from '../delivery/delivery.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';

const DROP_COUNTERS = [
  'probe_records_lost', 'probe_lines_malformed', 'probe_lines_overflowed', 'exec_partials_orphaned',
  'events_late', 'events_file_dropped', 'events_file_write_failed', 'bpftrace_restarts', 'sequences_evicted',
] as const;

interface HousekeepingParts {
  pipeline: Pipeline;
  delivery: Delivery;
  alertsPath: string;
  counters: Counters;
  log: Logger;
}

export function startHousekeeping({ pipeline, delivery, alertsPath, counters, log }: HousekeepingParts): () => void {
  let lastDrops = '';
  let lastWritten = 0;
  let ticks = 0;
  let lastOutputs = '';
  const timer = setInterval(() => {
    if (++ticks % 5 === 0) delivery.writeStatus();
    if (ticks % 10 === 0) {
      const outputs = delivery.statuses().map(({ last_error_at: _a, last_delivered_at: _b, ...s }) => s);
      const key = JSON.stringify(outputs);
      if (key !== lastOutputs) log.info('outputs', { outputs });
      lastOutputs = key;
    }
    pipeline.housekeep(Date.now());
    if (counters.get('alerts_written') !== lastWritten) {
      lastWritten = counters.get('alerts_written');
      log.info('alerts written (fdatasync done)', { alerts_written: lastWritten, path: alertsPath });
    }
    const drops = Object.fromEntries(DROP_COUNTERS.map((k) => [k, counters.get(k)]));
    const key = JSON.stringify(drops);
    if (key !== lastDrops && Object.values(drops).some((v) => v > 0)) {
      log.warn('events dropped or delayed (running totals)', drops);
    }
    lastDrops = key;
  }, 1000);
  return () => clearInterval(timer);
}
