// All configured outputs: one queue + runner each over the alert log, the retention rule that
// keeps files they have not delivered, and their status for logs, /metrics, /healthz, doctor.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Retention } from '../alerts/alert-log.js';
import type { LogFile } from '../alerts/log-files.js';
import type { Config } from '../config/config-schema.js';
import type { OutputConfig } from '../config/outputs-schema.js';
import { type Counters, escapeLabelValue } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { redact, redactDeep } from '../util/redact.js';
import { AlertQueue } from './alert-queue.js';
import { loadCheckpoint } from './checkpoint-store.js';
import { ElasticsearchSender } from './elasticsearch-sender.js';
import { OutputRunner } from './output-runner.js';
import type { OutputStatus } from './output-status.js';
import type { Sender } from './sender.js';
import { WebhookSender } from './webhook-sender.js';

const outputsDir = (stateDir: string) => join(stateDir, 'outputs');
export const checkpointPath = (stateDir: string, name: string) => join(outputsDir(stateDir), `${name}.checkpoint.json`);
const deadLetterPath = (stateDir: string, name: string) => join(outputsDir(stateDir), `${name}.dead-letter.ndjson`);
export const statusPath = (stateDir: string, name: string) => join(outputsDir(stateDir), `${name}.status.json`);

export function outputTarget(o: OutputConfig): string {
  return o.type === 'elasticsearch' ? `${o.urls.join(',')} -> ${o.data_stream}` : o.url;
}

export function makeSender(o: OutputConfig, at: string): Sender {
  return o.type === 'elasticsearch' ? new ElasticsearchSender(o, at) : new WebhookSender(o, at);
}

export class Delivery implements Retention {
  private readonly runners: { runner: OutputRunner; queue: AlertQueue }[] = [];
  private readonly senders: Sender[];

  /**
   * Resolves secrets (registering every form of them for redaction) and reads TLS files: throws
   * (SecretError, file errors) before anything runs.
   */
  constructor(
    private readonly outputs: OutputConfig[],
    private readonly alerts: Config['alerts'],
    private readonly stateDir: string,
    private readonly counters: Counters,
    private readonly log: Logger,
  ) {
    this.senders = outputs.map((o, i) => makeSender(o, `outputs.${i}`));
  }

  /** Opens every output at its checkpoint and starts it; the alert log must be open (torn tail cut). */
  start(): void {
    this.outputs.forEach((o, i) => {
      const sender = this.senders[i]!;
      if (o.tls.verification === 'none') {
        this.log.warn('TLS verification is off for this output: anyone on the path can read and forge its traffic', { output: o.name, target: outputTarget(o) });
      }
      const queue = new AlertQueue(this.alerts.path);
      const cpPath = checkpointPath(this.stateDir, o.name);
      let cp;
      try {
        cp = loadCheckpoint(cpPath);
      } catch (e) {
        this.log.error('output checkpoint unreadable: starting at the oldest kept alert', { code: 'DELIVERY_CHECKPOINT_UNREADABLE', output: o.name, error: (e as Error).message });
      }
      const opened = queue.open(cp, o.start_at);
      if (opened.note) this.log.error('output cannot resume at its checkpoint', { code: 'DELIVERY_RESUME_LOST', output: o.name, why: opened.note });
      const runner = new OutputRunner(
        {
          name: o.name, target: outputTarget(o), maxAlerts: o.batch.max_alerts, maxBytes: o.batch.max_bytes, maxWaitMs: o.batch.max_wait_ms,
          initialBackoffMs: o.retry.initial_ms, maxBackoffMs: o.retry.max_ms,
          checkpointPath: cpPath, deadLetterPath: deadLetterPath(this.stateDir, o.name),
          deadLetterRotate: { maxBytes: this.alerts.rotate.max_bytes, keep: this.alerts.rotate.keep },
        },
        queue, sender, this.counters, this.log,
      );
      runner.start(queue.checkpoint());
      this.runners.push({ runner, queue });
      this.log.info('output started', { output: o.name, type: o.type, target: outputTarget(o), pending: queue.unread, verification: o.tls.verification });
    });
  }

  written(n: number): void {
    for (const { runner } of this.runners) runner.written(n);
  }

  neededInodes(): number[] {
    return this.runners.map((r) => r.queue.currentIno).filter((ino) => ino > 0);
  }

  dropped(file: LogFile): void {
    for (const { runner, queue } of this.runners) {
      const lost = queue.dropped(file.ino);
      if (!lost) continue;
      runner.dropped(lost);
      this.log.error('alerts dropped before delivery: alert log backlog over alerts.max_undelivered_bytes', {
        code: 'DELIVERY_DROPPED',
        output: runner.status.name, alerts: lost, file: file.path, bytes: file.size,
      });
    }
  }

  statuses(): OutputStatus[] {
    const now = Date.now();
    return this.runners.map((r) => r.runner.snapshot(now));
  }

  gauges(): Record<string, number> {
    const g: Record<string, number> = {};
    for (const s of this.statuses()) {
      const label = `{output="${escapeLabelValue(s.name)}"}`;
      g[`output_pending${label}`] = s.pending;
      g[`output_oldest_pending_seconds${label}`] = s.oldest_pending_seconds;
    }
    return g;
  }

  /** Why delivery counts as stuck, if it does. */
  stuck(afterSeconds: number): string | undefined {
    const s = this.statuses().find((x) => x.oldest_pending_seconds > afterSeconds);
    return s && redact(`output ${s.name}: oldest undelivered alert is ${Math.round(s.oldest_pending_seconds)} s old (${s.last_error ?? 'no error recorded'})`);
  }

  /** For `nightjar doctor`: each output's status, rewritten while the agent runs. */
  writeStatus(): void {
    const at = new Date().toISOString();
    for (const s of this.statuses()) {
      try {
        writeFileSync(statusPath(this.stateDir, s.name), `${JSON.stringify(redactDeep({ ...s, at, pid: process.pid }))}\n`, { mode: 0o640 });
      } catch {
        /* state dir not writable: status stays in the log */
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.runner.stop()));
    this.writeStatus();
  }
}
