// What an output does with a batch, and how it tells the runner what became of each alert.

import { createHash } from 'node:crypto';
import { redact } from '../util/redact.js';

export interface QueuedAlert {
  line: string;
  /** event.id, or a hash of the line when it has none: stable across retries and restarts */
  id: string;
  doc?: Record<string, unknown>;
}

export interface DeadAlert {
  alert: QueuedAlert;
  status: number;
  reason: string;
}

export interface SendOutcome {
  delivered: number;
  /** alerts to send again after a backoff, in their order */
  retry: QueuedAlert[];
  dead: DeadAlert[];
  /** the request was too large or one alert in it was refused: send it again in halves */
  split?: boolean;
  retryAfterMs?: number;
  /** why anything is retried */
  error?: string;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface Sender {
  send(alerts: QueuedAlert[], signal: AbortSignal): Promise<SendOutcome>;
  /** One request per URL that changes nothing on the server: can we reach it and authenticate? */
  probe(): Promise<ProbeResult[]>;
  close(): void;
}

export function toQueued(line: string): QueuedAlert {
  let doc: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) doc = v as Record<string, unknown>;
  } catch {
    /* kept as raw text; the server decides */
  }
  const id = (doc?.event as { id?: unknown } | undefined)?.id;
  return { line, doc, id: typeof id === 'string' && id ? id : createHash('sha256').update(line).digest('hex').slice(0, 32) };
}

export const retryAll = (alerts: QueuedAlert[], error: string, retryAfterMs?: number): SendOutcome => ({ delivered: 0, retry: alerts, dead: [], error, retryAfterMs });

/** Statuses that say the request as a whole should be tried again later. */
export const RETRYABLE_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

/** Statuses that say the output is misconfigured (auth, path): retried, never dead-lettered. */
export const CONFIG_STATUS = (s: number) => s === 401 || s === 403 || s === 404 || s === 405 || s === 407;

/** The start of a server's answer for a message, redacted before it is cut so no secret is left half-masked. */
export function excerpt(body: string, max = 300): string {
  const one = redact(body.slice(0, 65536)).replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max)}...` : one;
}
