// Sends one batch until every alert in it is delivered or dead-lettered: retries only what
// failed (server's Retry-After, else backoff), splits what is too large, dead-letters what is
// refused for good, and starts the batch over after a local fault (it is already off the queue).

import type { StatusReporter } from './output-status.js';
import { backoffMs, type Sleeper } from './backoff.js';
import type { DeadLetterFile } from './dead-letter.js';
import { type SendResult, sendResults } from './send-result.js';
import type { QueuedAlert, Sender } from './sender.js';

type LocalFault = Extract<SendResult, { kind: 'local-fault' }>;

interface BackoffLimits {
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export class BatchDeliverer {
  /** alerts of the batch in flight not yet delivered or dead-lettered */
  inFlight = 0;

  constructor(
    private readonly sender: Sender,
    private readonly deadLetters: DeadLetterFile,
    private readonly report: StatusReporter,
    private readonly limits: BackoffLimits,
    private readonly sleeper: Sleeper,
    private readonly signal: AbortSignal,
  ) {}

  /** true once every alert is delivered or dead-lettered; false if stopped first. */
  async deliver(alerts: QueuedAlert[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.attempt(alerts);
      if (r === 'done') this.inFlight = 0;
      if (r === 'done' || r === 'stopped') return r === 'done';
      const wait = backoffMs(attempt, this.limits.initialBackoffMs, this.limits.maxBackoffMs);
      this.report.error('DELIVERY_LOCAL_FAULT', `local fault: ${r.error}`, alerts.length, wait, false);
      await this.sleeper.sleep(wait, false);
      if (this.sleeper.stopping) return false;
    }
  }

  /** One pass over the batch, in groups (halves after a split), each until it is through. */
  private async attempt(alerts: QueuedAlert[]): Promise<'done' | 'stopped' | LocalFault> {
    this.inFlight = alerts.length;
    const groups: QueuedAlert[][] = [alerts];
    let retries = 0;
    while (groups.length) {
      if (this.sleeper.stopping) return 'stopped';
      const group = groups[0]!;
      let results: SendResult[];
      try {
        results = sendResults(await this.sender.send(group, this.signal), group);
      } catch (e) {
        results = [{ kind: 'local-fault', error: (e as Error).message }];
      }
      let next: 'done' | SendResult = 'done';
      for (const r of results) {
        switch (r.kind) {
          case 'dead-letter':
            try {
              this.deadLetters.write(r.dead);
            } catch (e) {
              return { kind: 'local-fault', error: (e as Error).message };
            }
            this.report.deadLettered(r.dead, this.deadLetters.path);
            this.inFlight -= r.dead.length;
            break;
          case 'delivered':
            this.report.delivered(r.count);
            this.inFlight -= r.count;
            break;
          case 'local-fault':
            return r;
          case 'split':
          case 'retry-after':
            next = r;
            break;
        }
      }
      if (next === 'done') {
        groups.shift();
        retries = 0;
        this.report.recovered();
        continue;
      }
      if (next.kind === 'split') {
        groups.splice(0, 1, ...next.halves);
        continue;
      }
      if (next.kind !== 'retry-after') continue;
      groups[0] = next.alerts;
      this.report.retried(next.alerts.length);
      const wait = next.serverWaitMs ?? backoffMs(retries, this.limits.initialBackoffMs, this.limits.maxBackoffMs);
      retries++;
      this.report.error('DELIVERY_RETRY', next.error, next.alerts.length, wait, next.serverWaitMs !== undefined);
      await this.sleeper.sleep(wait, false);
    }
    return 'done';
  }
}
