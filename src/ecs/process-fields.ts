// ProcessInfo -> ECS process.* (and process.parent.*) objects.

import type { ProcessInfo } from '../process/process-info.js';
import type { Clock } from '../util/clock.js';

export function processObject(p: ProcessInfo, clock: Clock): Record<string, unknown> {
  const o: Record<string, unknown> = {
    pid: p.pid,
    entity_id: p.entityId,
    name: p.name,
    args: p.args,
    args_count: p.argsCount,
    command_line: p.args.join(' '),
    start: clock.startIso(p.startTicks),
    user: { id: String(p.euid) },
    real_user: { id: String(p.uid) },
    group: { id: String(p.egid) },
    real_group: { id: String(p.gid) },
  };
  if (p.executable !== undefined) o.executable = p.executable;
  return o;
}

export function withParent(
  p: ProcessInfo,
  parent: ProcessInfo | undefined,
  clock: Clock,
): Record<string, unknown> {
  const o = processObject(p, clock);
  o.parent = parent ? processObject(parent, clock) : { pid: p.ppid };
  return o;
}
