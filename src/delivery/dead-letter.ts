// The line written for an alert an output's server refused for good: the server's status and
// reason with the alert. Written through an AlertLog (synced, rotated like the alert log)
// before the output's checkpoint moves past it.

import { AlertLog, type AlertLogOptions } from '../alerts/alert-log.js';
import { redactDeep } from '../util/redact.js';
import type { DeadAlert } from './sender.js';

/** Redacted whole, the alert included: a dead-letter file is one of nightjar's own outputs. */
export function deadLetterDoc(output: string, d: DeadAlert): Record<string, unknown> {
  return redactDeep({ '@timestamp': new Date().toISOString(), output, status: d.status, reason: d.reason, event_id: d.alert.id, alert: d.alert.doc ?? d.alert.line });
}

/** Opened at the first refusal, so an output that never has one leaves no file. */
export class DeadLetterFile {
  private log?: AlertLog;

  constructor(
    private readonly output: string,
    readonly path: string,
    private readonly rotate: AlertLogOptions,
  ) {}

  /** Synced before it returns; throws when the file cannot be written. */
  write(dead: DeadAlert[]): void {
    this.log ??= new AlertLog(this.path, this.rotate);
    for (const d of dead) this.log.append(deadLetterDoc(this.output, d));
    this.log.flush();
  }

  close(): void {
    this.log?.close();
  }
}
