// The agent's alert log as configured (rotation, retention, fault policy), with each fault
// state change logged once, its /healthz reason, SIGHUP reopen and the close at stop.

import type { Config } from '../config/config-schema.js';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { AlertLog, type AlertLogFault, type Retention } from './alert-log.js';

/** Alerts the disk refuses wait in memory up to these bounds (then counted as dropped). */
const ALERT_BUFFER = { maxBufferedAlerts: 10_000, maxBufferedBytes: 64 << 20, retryMs: 1000 };

/** Throws AlertLogError when the path cannot be written. onWritten: alerts now on disk (fdatasync done). */
export function openAlertLog(alerts: Config['alerts'], retention: Retention, onWritten: (n: number) => void, counters: Counters, log: Logger): AlertLog {
  const path = alerts.path;
  let writeFaultSince = 0;
  const alertLog: AlertLog = new AlertLog(
    path,
    {
      maxBytes: alerts.rotate.max_bytes, keep: alerts.rotate.keep, maxUndeliveredBytes: alerts.max_undelivered_bytes, retention,
      faults: {
        ...ALERT_BUFFER, counters,
        onState: (op, f) => {
          if (op === 'write' && f) {
            writeFaultSince = f.since;
            log.error('alert log not writable: alerts kept in memory and retried', { path, code: f.code, error: f.message, buffered: alertLog.buffered, retry_in_ms: ALERT_BUFFER.retryMs });
          } else if (op === 'write') {
            log.info('alert log writable again: buffered alerts written in order', {
              path, outage_ms: Date.now() - writeFaultSince, alerts_write_recovered: counters.get('alerts_write_recovered'), alerts_dropped: counters.get('alerts_dropped', { reason: 'buffer_full' }),
            });
          } else if (f) {
            log.error('alert log reopen failed: still writing the old file, retrying', { path, code: f.code, error: f.message, retry_in_ms: ALERT_BUFFER.retryMs });
          } else {
            log.info('alert log reopened', { path });
          }
        },
      },
    },
    onWritten,
  );
  if (alertLog.tornLinesRepaired) log.warn('alert log ended in a torn line (crash); cut it off', { path });
  return alertLog;
}

/** SIGHUP (logrotate) reopens the log; returns the undo. */
export function reopenOnHangup(alertLog: AlertLog, log: Logger): () => void {
  const onHup = () => {
    alertLog.reopen();
    if (!alertLog.reopenPending) log.info('alert log reopened', { path: alertLog.path });
  };
  process.on('SIGHUP', onHup);
  return () => process.off('SIGHUP', onHup);
}

export function closeAlertLog(alertLog: AlertLog, log: Logger): void {
  const lost = alertLog.close();
  if (lost) log.error('alert log not writable at stop: buffered alerts lost', { path: alertLog.path, alerts_lost: lost });
}

/** The /healthz reason while the log is faulty. */
export function describeAlertLogFault(f: AlertLogFault, buffered: number): string {
  const since = new Date(f.since).toISOString();
  return f.op === 'write'
    ? `alert log not writable since ${since}: ${f.message}; ${buffered} alert(s) kept in memory, retrying`
    : `alert log reopen failed since ${since}: ${f.message}; retrying`;
}
