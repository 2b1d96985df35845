// One output's delivery loop, wired from its parts: the collector forms a batch from the queue,
// the deliverer sends it until every alert is delivered or dead-lettered, then the checkpoint
// moves. One batch in flight: alerts reach each output in log order.

import type { AlertLogOptions } from '../alerts/alert-log.js';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import type { AlertQueue } from './alert-queue.js';
import { Sleeper } from './backoff.js';
import { BatchCollector } from './batch-collector.js';
import { BatchDeliverer } from './batch-deliverer.js';
import type { Checkpoint } from './checkpoint-store.js';
import { CheckpointTimer } from './checkpoint-timer.js';
import { DeadLetterFile } from './dead-letter.js';
import { type OutputStatus, StatusReporter } from './output-status.js';
import type { QueuedAlert, Sender } from './sender.js';


interface RunnerOptions {
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

function createdMs(a: QueuedAlert): number {
  const ev = a.doc?.event as { created?: unknown } | undefined;
  const t = Date.parse(String(ev?.created ?? a.doc?.['@timestamp'] ?? ''));
  return Number.isFinite(t) ? t : Date.now();
}

export class OutputRunner {
  private readonly abort = new AbortController();
  private readonly sleeper = new Sleeper();
  private readonly report: StatusReporter;
  private readonly collector: BatchCollector;
  private readonly deliverer: BatchDeliverer;
  private readonly checkpoint: CheckpointTimer;
  private readonly deadLetters: DeadLetterFile;
  private loopDone?: Promise<void>;
  private oldestInFlight?: number;

  constructor(
    o: RunnerOptions,
    private readonly queue: AlertQueue,
    private readonly sender: Sender,
    counters: Counters,
    log: Logger,
  ) {
    this.report = new StatusReporter(o.target, o.name, counters, log, () => this.queue.unread + this.deliverer.inFlight);
    this.collector = new BatchCollector(queue, o, this.sleeper);
    this.deadLetters = new DeadLetterFile(o.name, o.deadLetterPath, o.deadLetterRotate);
    this.deliverer = new BatchDeliverer(sender, this.deadLetters, this.report, o, this.sleeper, this.abort.signal);
    this.checkpoint = new CheckpointTimer(o.checkpointPath, (why, wait) => this.report.error('DELIVERY_CHECKPOINT_SAVE', why, 0, wait, false));
  }

  get status(): OutputStatus {
    return this.report.status;
  }

  start(initial: Checkpoint): void {
    this.checkpoint.start(initial);
    this.loopDone = this.loop().catch((e: unknown) => this.report.stopped(e));
  }

  /** The alert log wrote n alerts. */
  written(n: number): void {
    this.queue.written(n);
    this.sleeper.alerts();
  }

  /** Lost to the disk bound before this output delivered them. */
  dropped(n: number): void {
    this.report.dropped(n);
  }

  snapshot(now = Date.now()): OutputStatus {
    const inFlight = this.oldestInFlight;
    return {
      ...this.report.status,
      pending: this.queue.unread + this.deliverer.inFlight,
      oldest_pending_seconds: inFlight === undefined ? 0 : Math.max(0, Math.round((now - inFlight) / 100) / 10),
    };
  }

  private async loop(): Promise<void> {
    while (!this.sleeper.stopping) {
      const batch = await this.collector.next();
      if (!batch) continue;
      this.oldestInFlight = createdMs(batch.alerts[0]!);
      if (!(await this.deliverer.deliver(batch.alerts))) break;
      this.oldestInFlight = undefined;
      this.checkpoint.passed(batch.end, this.queue.unread === 0);
    }
    this.checkpoint.save();
  }

  /** Lets a request in flight finish for up to graceMs, then aborts it; undelivered alerts stay queued. */
  async stop(graceMs = 2000): Promise<void> {
    this.sleeper.stop();
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    await this.loopDone;
    clearTimeout(timer);
    this.sender.close();
    this.queue.close();
    this.deadLetters.close();
  }
}
