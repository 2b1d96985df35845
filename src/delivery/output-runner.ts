// One output's delivery loop: collect a batch from the queue (count, bytes, time), send it until
// every alert in it is delivered or dead-lettered (retrying only what failed, with backoff),
// then move the checkpoint. One batch in flight: alerts reach each output in log order.

import { AlertLog, type AlertLogOptions } from '../alerts/alert-log.js';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import type { AlertQueue } from './alert-queue.js';
import { type Checkpoint, saveCheckpoint } from './checkpoint-store.js';
import { deadLetterDoc } from './dead-letter.js';
import { type DeadAlert, type QueuedAlert, type Sender, toQueued } from './sender.js';
import type { ErrorCode } from '../util/coded-error.js';
import { redact } from '../util/redact.js';

const CHECKPOINT_EVERY_MS = 250;

export interface RunnerOptions {
  name: string;
  target: string;
  maxAlerts: number;
  maxBytes: number;
  maxWaitMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  checkpointPath: string;
  deadLetterPath: string;
  /** rotation of the dead-letter file: the alert log's */
  deadLetterRotate: AlertLogOptions;
}

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

/** Exponential backoff with jitter: attempt 0 waits initial/2..initial, doubling up to max. */
export function backoffMs(attempt: number, initial: number, max: number, random = Math.random): number {
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function createdMs(a: QueuedAlert): number {
  const ev = a.doc?.event as { created?: unknown } | undefined;
  const t = Date.parse(String(ev?.created ?? a.doc?.['@timestamp'] ?? ''));
  return Number.isFinite(t) ? t : Date.now();
}

export class OutputRunner {
  private stopping = false;
  private readonly abort = new AbortController();
  private wakeAlerts?: () => void;
  private wakeStop?: () => void;
  private loopDone?: Promise<void>;
  private oldestInFlight?: number;
  private failing = false;
  private lastErrorLogged = 0;
  /** alerts of the batch in flight not yet delivered or dead-lettered */
  private inFlightCount = 0;
  /** delivered up to here, not saved yet */
  private done?: Checkpoint;
  private savedAt = 0;
  private deadLetters?: AlertLog;
  readonly status: OutputStatus;

  constructor(
    private readonly o: RunnerOptions,
    private readonly queue: AlertQueue,
    private readonly sender: Sender,
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {
    this.status = { name: o.name, target: o.target, pending: 0, oldest_pending_seconds: 0, delivered: 0, retried: 0, dead_lettered: 0, dropped: 0 };
  }

  start(initial: Checkpoint): void {
    saveCheckpoint(this.o.checkpointPath, initial);
    this.loopDone = this.loop().catch((e: unknown) => {
      this.log.error('output stopped by an internal error', { code: 'DELIVERY_STOPPED', output: this.o.name, error: String((e as Error).stack ?? e) });
    });
  }

  /** The alert log wrote n alerts. */
  written(n: number): void {
    this.queue.written(n);
    this.wakeAlerts?.();
  }

  /** Lost to the disk bound before this output delivered them. */
  dropped(n: number): void {
    this.status.dropped += n;
    this.counters.inc(`output_dropped{output="${this.o.name}"}`, n);
  }

  snapshot(now = Date.now()): OutputStatus {
    const inFlight = this.oldestInFlight;
    return {
      ...this.status,
      pending: this.queue.unread + this.inFlightCount,
      oldest_pending_seconds: inFlight === undefined ? 0 : Math.max(0, Math.round((now - inFlight) / 100) / 10),
    };
  }

  private sleep(ms: number, wakeOnAlerts: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeAlerts = undefined;
        this.wakeStop = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      if (wakeOnAlerts) this.wakeAlerts = done;
      this.wakeStop = done;
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let batch = this.queue.read(this.o.maxAlerts, this.o.maxBytes);
      if (!batch.lines.length) {
        await this.sleep(1000, true);
        continue;
      }
      const lines = batch.lines;
      let bytes = batch.bytes;
      const deadline = Date.now() + this.o.maxWaitMs;
      while (!this.stopping && lines.length < this.o.maxAlerts && bytes < this.o.maxBytes && Date.now() < deadline) {
        await this.sleep(deadline - Date.now(), true);
        const more = this.queue.read(this.o.maxAlerts - lines.length, this.o.maxBytes, bytes);
        if (more.lines.length) {
          lines.push(...more.lines);
          bytes += more.bytes;
          batch = more;
        }
      }
      const alerts = lines.map(toQueued);
      this.oldestInFlight = createdMs(alerts[0]!);
      const finished = await this.deliverRetryingFaults(alerts);
      if (!finished) break;
      this.done = batch.end;
      this.inFlightCount = 0;
      this.oldestInFlight = undefined;
      // a backlog saves its place every CHECKPOINT_EVERY_MS, not per batch (two fsyncs each);
      // a crash re-sends at most that much, which ids make harmless
      if (this.queue.unread === 0 || Date.now() - this.savedAt >= CHECKPOINT_EVERY_MS) this.save();
    }
    this.save();
  }

  private save(): void {
    if (!this.done) return;
    try {
      saveCheckpoint(this.o.checkpointPath, this.done);
    } catch (e) {
      // kept in `done`: the next batch tries again; a crash meanwhile only re-sends
      this.noteError('DELIVERY_CHECKPOINT_SAVE', `cannot save the checkpoint: ${(e as Error).message}`, 0, CHECKPOINT_EVERY_MS, false);
      return;
    }
    this.done = undefined;
    this.savedAt = Date.now();
  }

  /**
   * deliver(), again after a backoff if it throws (a dead-letter write failing on a full disk,
   * say): the batch is already off the queue, so giving up here would skip it.
   */
  private async deliverRetryingFaults(alerts: QueuedAlert[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deliver(alerts);
      } catch (e) {
        const wait = backoffMs(attempt, this.o.initialBackoffMs, this.o.maxBackoffMs);
        this.noteError('DELIVERY_LOCAL_FAULT', `local fault: ${(e as Error).message}`, alerts.length, wait, false);
        await this.sleep(wait, false);
        if (this.stopping) return false;
      }
    }
  }

  /** true once every alert is delivered or dead-lettered; false if stopped first. */
  private async deliver(alerts: QueuedAlert[]): Promise<boolean> {
    this.inFlightCount = alerts.length;
    const groups: QueuedAlert[][] = [alerts];
    let attempt = 0;
    while (groups.length) {
      if (this.stopping) return false;
      const group = groups[0]!;
      const out = await this.sender.send(group, this.abort.signal);
      if (out.dead.length) {
        this.writeDeadLetters(out.dead);
        this.status.dead_lettered += out.dead.length;
        this.counters.inc(`output_dead_lettered{output="${this.o.name}"}`, out.dead.length);
        for (const d of out.dead) this.log.error('alert refused by the server: dead-lettered', { code: 'DELIVERY_DEAD_LETTER', output: this.o.name, event_id: d.alert.id, status: d.status, reason: d.reason, file: this.o.deadLetterPath });
      }
      if (out.delivered) {
        this.status.delivered += out.delivered;
        this.status.last_delivered_at = new Date().toISOString();
        this.counters.inc(`output_delivered{output="${this.o.name}"}`, out.delivered);
      }
      this.inFlightCount -= out.delivered + out.dead.length;
      if (out.split) {
        const half = Math.ceil(group.length / 2);
        groups.splice(0, 1, group.slice(0, half), group.slice(half));
        continue;
      }
      if (!out.retry.length) {
        groups.shift();
        attempt = 0;
        if (this.failing) {
          this.failing = false;
          this.log.info('output delivering again', { output: this.o.name, target: this.o.target });
        }
        continue;
      }
      groups[0] = out.retry;
      this.status.retried += out.retry.length;
      this.counters.inc(`output_retried{output="${this.o.name}"}`, out.retry.length);
      const wait = out.retryAfterMs ?? backoffMs(attempt, this.o.initialBackoffMs, this.o.maxBackoffMs);
      attempt++;
      this.noteError('DELIVERY_RETRY', out.error ?? 'retrying', out.retry.length, wait, out.retryAfterMs !== undefined);
      await this.sleep(wait, false);
    }
    return true;
  }

  /** Opened at the first refusal, so an output that never has one leaves no file. */
  private writeDeadLetters(dead: DeadAlert[]): void {
    this.deadLetters ??= new AlertLog(this.o.deadLetterPath, this.o.deadLetterRotate);
    for (const d of dead) this.deadLetters.append(deadLetterDoc(this.o.name, d));
    this.deadLetters.flush();
  }

  private noteError(code: ErrorCode, why: string, count: number, waitMs: number, told: boolean): void {
    // last_error reaches the status file, /healthz and doctor: redacted here, once
    const error = redact(why);
    const now = Date.now();
    const changed = error !== this.status.last_error;
    this.status.last_error = error;
    this.status.last_error_at = new Date(now).toISOString();
    this.failing = true;
    if (changed || now - this.lastErrorLogged >= 30_000) {
      this.lastErrorLogged = now;
      this.log.warn('output delivery failed: will retry', {
        code, output: this.o.name, error, alerts: count, retry_in_ms: waitMs, retry_after_from_server: told, pending: this.queue.unread + this.inFlightCount,
      });
    }
  }

  /** Lets a request in flight finish for up to graceMs, then aborts it; undelivered alerts stay queued. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    this.wakeAlerts?.();
    this.wakeStop?.();
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    await this.loopDone;
    clearTimeout(timer);
    this.sender.close();
    this.queue.close();
    this.deadLetters?.close();
  }
}
