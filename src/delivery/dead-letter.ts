// Alerts an output's server refused for good, one JSON line each with the server's reason,
// synced before the output's checkpoint moves past them.

import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeadAlert } from './sender.js';

export function writeDeadLetters(path: string, output: string, dead: DeadAlert[]): void {
  if (!dead.length) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  const now = new Date().toISOString();
  const text = dead
    .map((d) => `${JSON.stringify({ '@timestamp': now, output, status: d.status, reason: d.reason, event_id: d.alert.id, alert: d.alert.doc ?? d.alert.line })}\n`)
    .join('');
  const fd = openSync(path, 'a', 0o640);
  try {
    writeSync(fd, text);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
