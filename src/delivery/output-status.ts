// An output's status for logs, /metrics, /healthz and doctor: counts, the last error (redacted
// once, here) and the log lines that tell an operator when delivery fails and recovers.

import type { ErrorCode } from '../util/coded-error.js';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { redact } from '../util/redact.js';
import type { DeadAlert } from './sender.js';

export interface OutputStatus {
  name: string;
  target: string;
  pending: number;
  oldest_pending_seconds: number;
  delivered: number;
  retried: number;
  dead_lettered: number;
  dropped: number;
  last_error?: string;
  last_error_at?: string;
  last_delivered_at?: string;
}

const REPEAT_LOG_MS = 30_000;

export class StatusReporter {
  readonly status: OutputStatus;
  private failing = false;
  private lastErrorLogged = 0;

  constructor(
    target: string,
    private readonly name: string,
    private readonly counters: Counters,
    private readonly log: Logger,
    /** alerts queued or in flight, for the log line of a failure */
    private readonly pending: () => number,
  ) {
    this.status = { name, target, pending: 0, oldest_pending_seconds: 0, delivered: 0, retried: 0, dead_lettered: 0, dropped: 0 };
  }

  delivered(n: number): void {
    this.status.delivered += n;
    this.status.last_delivered_at = new Date().toISOString();
    this.counters.inc('output_delivered', { output: this.name }, n);
  }

  deadLettered(dead: DeadAlert[], file: string): void {
    this.status.dead_lettered += dead.length;
    this.counters.inc('output_dead_lettered', { output: this.name }, dead.length);
    for (const d of dead) this.log.error('alert refused by the server: dead-lettered', { code: 'DELIVERY_DEAD_LETTER', output: this.name, event_id: d.alert.id, status: d.status, reason: d.reason, file });
  }

  retried(n: number): void {
    this.status.retried += n;
    this.counters.inc('output_retried', { output: this.name }, n);
  }

  dropped(n: number): void {
    this.status.dropped += n;
    this.counters.inc('output_dropped', { output: this.name }, n);
  }

  /** A group went through after failures: said once. */
  recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info('output delivering again', { output: this.name, target: this.status.target });
  }

  error(code: ErrorCode, why: string, count: number, waitMs: number, told: boolean): void {
    // last_error reaches the status file, /healthz and doctor: redacted here, once
    const error = redact(why);
    const now = Date.now();
    const changed = error !== this.status.last_error;
    this.status.last_error = error;
    this.status.last_error_at = new Date(now).toISOString();
    this.failing = true;
    if (changed || now - this.lastErrorLogged >= REPEAT_LOG_MS) {
      this.lastErrorLogged = now;
      this.log.warn('output delivery failed: will retry', {
        code, output: this.name, error, alerts: count, retry_in_ms: waitMs, retry_after_from_server: told, pending: this.pending(),
      });
    }
  }

  stopped(e: unknown): void {
    this.log.error('output stopped by an internal error', { code: 'DELIVERY_STOPPED', output: this.name, error: String((e as Error).stack ?? e) });
  }
}
