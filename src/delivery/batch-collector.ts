// Forms an output's next batch from its queue: up to max alerts and bytes, waiting up to maxWait
// after the first alert for more. The batch's end is where the checkpoint moves once it is done.

import type { AlertQueue } from './alert-queue.js';
import type { Sleeper } from './backoff.js';
import type { Checkpoint } from './checkpoint-store.js';
import { type QueuedAlert, toQueued } from './sender.js';

interface Batch {
  alerts: QueuedAlert[];
  end: Checkpoint;
}

interface BatchLimits {
  maxAlerts: number;
  maxBytes: number;
  maxWaitMs: number;
}

const IDLE_POLL_MS = 1000;

export class BatchCollector {
  constructor(
    private readonly queue: AlertQueue,
    private readonly limits: BatchLimits,
    private readonly sleeper: Sleeper,
  ) {}

  /** The next batch, or undefined after an idle wait (nothing queued) or a stop. */
  async next(): Promise<Batch | undefined> {
    const { maxAlerts, maxBytes, maxWaitMs } = this.limits;
    let read = this.queue.read(maxAlerts, maxBytes);
    if (!read.lines.length) {
      await this.sleeper.sleep(IDLE_POLL_MS, true);
      return undefined;
    }
    const lines = read.lines;
    let bytes = read.bytes;
    const deadline = Date.now() + maxWaitMs;
    while (!this.sleeper.stopping && lines.length < maxAlerts && bytes < maxBytes && Date.now() < deadline) {
      await this.sleeper.sleep(deadline - Date.now(), true);
      const more = this.queue.read(maxAlerts - lines.length, maxBytes, bytes);
      if (more.lines.length) {
        lines.push(...more.lines);
        bytes += more.bytes;
        read = more;
      }
    }
    return { alerts: lines.map(toQueued), end: read.end };
  }
}
