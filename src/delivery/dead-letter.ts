// The line written for an alert an output's server refused for good: the server's status and
// reason with the alert. Written through an AlertLog (synced, rotated like the alert log)
// before the output's checkpoint moves past it.

import type { DeadAlert } from './sender.js';

export function deadLetterDoc(output: string, d: DeadAlert): Record<string, unknown> {
  return { '@timestamp': new Date().toISOString(), output, status: d.status, reason: d.reason, event_id: d.alert.id, alert: d.alert.doc ?? d.alert.line };
}
