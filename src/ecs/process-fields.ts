// ProcessInfo (+ parent and session leaders) -> ECS process.* objects, with Elastic Defend's
// Linux process model: working directory, tty, interactive, user and group names, capabilities,
// allow-listed environment, group/session/entry leaders.

import type { UserNames } from '../host/user-names.js';
import { capabilityNames } from '../process/capabilities.js';
import { isInteractive } from '../process/leaders.js';
import type { ProcessInfo } from '../process/process-info.js';
import type { Clock } from '../util/clock.js';

/** A process with its relatives as known to the process table. */
export interface ProcessView {
  p: ProcessInfo;
  parent: ProcessInfo | undefined;
  group: ProcessInfo | undefined;
  session: ProcessInfo | undefined;
  entry: ProcessInfo | undefined;
}

const idName = (id: number, name: string | undefined) => (name === undefined ? { id: String(id) } : { id: String(id), name });

function processObject(p: ProcessInfo, clock: Clock, names?: UserNames): Record<string, unknown> {
  const o: Record<string, unknown> = {
    pid: p.pid,
    entity_id: p.entityId,
    name: p.name,
    args: p.args,
    args_count: p.argsCount,
    command_line: p.args.join(' '),
    start: clock.startIso(p.startTicks),
    user: idName(p.euid, names?.user(p.euid)),
    real_user: idName(p.uid, names?.user(p.uid)),
    group: idName(p.egid, names?.group(p.egid)),
    real_group: idName(p.gid, names?.group(p.gid)),
    interactive: isInteractive(p),
  };
  if (p.executable !== undefined) o.executable = p.executable;
  if (p.cwd !== undefined) o.working_directory = p.cwd;
  if (p.ttyMajor) o.tty = { char_device: { major: p.ttyMajor, minor: p.ttyMinor } };
  return o;
}

function leader(l: ProcessInfo | undefined, pid: number, self: ProcessInfo, clock: Clock, names?: UserNames) {
  const o: Record<string, unknown> = l ? processObject(l, clock, names) : { pid };
  o.same_as_process = l ? l.pid === self.pid && l.startTicks === self.startTicks : pid === self.pid;
  return o;
}

export function withParent(v: ProcessView, clock: Clock, names?: UserNames): Record<string, unknown> {
  const { p, parent } = v;
  const o = processObject(p, clock, names);
  if (p.capEffective !== undefined && p.capPermitted !== undefined) {
    o.thread = { capabilities: { effective: capabilityNames(p.capEffective), permitted: capabilityNames(p.capPermitted) } };
  }
  if (p.env?.length) o.env_vars = p.env;
  o.parent = parent ? processObject(parent, clock, names) : { pid: p.ppid };
  if (p.pgid) o.group_leader = leader(v.group, p.pgid, p, clock, names);
  if (p.sid) o.session_leader = leader(v.session, p.sid, p, clock, names);
  if (v.entry) {
    const e = leader(v.entry, v.entry.pid, p, clock, names);
    e.entry_meta = { type: v.entry.entryType ?? 'unknown' };
    o.entry_leader = e;
  }
  return o;
}
