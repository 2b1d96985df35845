// process.entity_id = base64url(sha256(boot id, pid, start ticks))[0..22). The same for a
// process across exec, different when its pid is reused, and computable for processes
// seeded from /proc (start ticks = /proc/PID/stat field 22).

import { hash } from 'node:crypto';

export function entityId(bootId: string, pid: number, startTicks: number): string {
  return hash('sha256', `${bootId}:${pid}:${startTicks}`, 'base64url').slice(0, 22);
}
