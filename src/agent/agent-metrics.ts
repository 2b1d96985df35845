// The agent's /metrics gauges and /healthz reasons, served on loopback.

import type { Server } from 'node:http';
import type { AlertLog } from '../alerts/alert-log.js';
import { describeAlertLogFault } from '../alerts/alert-log-reporting.js';
import type { Delivery } from '../delivery/delivery.js';
import type { Detector } from '../detect/detector.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { BpftraceRunner } from '../probe/bpftrace-runner.js';
import type { ProcessTable } from '../process/process-table.js';
import type { Counters } from '../util/counters.js';
import type { NdjsonWriter } from './ndjson-writer.js';

interface AgentMetricsParts {
  listen: string;
  deliveryStuckAfterS: number;
  counters: Counters;
  runner: BpftraceRunner;
  pipeline: Pipeline;
  table: ProcessTable;
  detector: Detector;
  alertLog: AlertLog;
  eventsFile: NdjsonWriter | undefined;
  delivery: Delivery;
}

export function serveAgentMetrics(m: AgentMetricsParts): Promise<Server> {
  const { runner, alertLog, eventsFile, delivery } = m;
  return startMetricsServer(m.listen, {
    counters: m.counters,
    gauges: () => ({
      process_table_size: m.table.size, pending_sequences: m.detector.pendingSequences(),
      bpftrace_up: runner.up ? 1 : 0, reorder_held_events: m.pipeline.held,
      alert_log_up: alertLog.fault ? 0 : 1, alerts_buffered: alertLog.buffered, alerts_buffered_bytes: alertLog.bufferedBytes,
      ...(eventsFile ? { events_file_up: eventsFile.fault ? 0 : 1 } : {}),
      ...delivery.gauges(),
    }),
    unhealthy: () => {
      const why: string[] = [];
      if (!runner.up) why.push('bpftrace is not running');
      if (alertLog.fault) why.push(describeAlertLogFault(alertLog.fault, alertLog.buffered));
      if (eventsFile?.fault) why.push(`events file not writable since ${new Date(eventsFile.fault.since).toISOString()}: ${eventsFile.fault.message}; retrying`);
      const stuck = delivery.stuck(m.deliveryStuckAfterS);
      if (stuck) why.push(stuck);
      return why.length ? why.join('; ') : undefined;
    },
  });
}

/** host:port the server listens on, as the `ready` log line reports it. */
export function metricsAddress(server: Server): string {
  const a = server.address();
  return a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : '';
}

/** The teardown step: stop listening and drop open connections. */
export function closeMetrics(server: Server): void {
  server.close();
  server.closeAllConnections();
}
