// What became of one request of a batch, as a union the deliverer switches on (the shape of
// OpenTelemetry JS exporters' results): a sender's outcome read as a list of these, in order.

import type { DeadAlert, QueuedAlert, SendOutcome } from './sender.js';

export type SendResult =
  | { kind: 'delivered'; count: number }
  /** refused for good: written to the dead-letter file before the checkpoint passes them */
  | { kind: 'dead-letter'; dead: DeadAlert[] }
  /** the group again in halves: too large, or one alert in it refused */
  | { kind: 'split'; halves: [QueuedAlert[], QueuedAlert[]] }
  /** these alerts again after the server's Retry-After, or a backoff when it gave none */
  | { kind: 'retry-after'; alerts: QueuedAlert[]; serverWaitMs?: number; error: string }
  /** a local step failed (a dead-letter write on a full disk): the whole batch again after a backoff */
  | { kind: 'local-fault'; error: string };

/** Dead letters first: if writing them fails, nothing of this request counts yet. */
export function sendResults(out: SendOutcome, group: QueuedAlert[]): SendResult[] {
  const results: SendResult[] = [];
  if (out.dead.length) results.push({ kind: 'dead-letter', dead: out.dead });
  if (out.delivered) results.push({ kind: 'delivered', count: out.delivered });
  if (out.split) {
    const half = Math.ceil(group.length / 2);
    results.push({ kind: 'split', halves: [group.slice(0, half), group.slice(half)] });
  } else if (out.retry.length) {
    results.push({ kind: 'retry-after', alerts: out.retry, serverWaitMs: out.retryAfterMs, error: out.error ?? 'retrying' });
  }
  return results;
}
