// Ordered sensor events (with their wall ms) -> live events (ECS documents on demand), keeping
// the process table current (fork, exec, exit). Everything a document needs is fixed here: the
// relatives, the container, the sequence number; the entries it reads are never changed after.

import type { ContainerResolver } from '../container/container-resolver.js';
import { LiveEvent } from './live-event.js';
import { type MapContext, networkAction, networkTypes } from './map-event.js';
import type { ProcessView } from './process-fields.js';
import { UserNames } from '../host/user-names.js';
import { entityId } from '../process/entity-id.js';
import { basename } from '../process/proc-parse.js';
import { evaluateEntryLeader } from '../process/leaders.js';
import { NO_SESSION, type ProcessInfo } from '../process/process-info.js';
import type { ProcessTable } from '../process/process-table.js';
import type { ForkRecord } from '../probe/records.js';
import type { ExecEvent, SensorEvent } from '../probe/sensor-events.js';

const PROCESS = ['process'];
const NETWORK = ['network'];
const START = ['start'];
const END = ['end'];

/** Execs of these paths run another file; its real name is the mapped exe's name. */
const INDIRECT_EXEC = /^\/(proc\/self\/exe|proc\/\d+\/exe|dev\/fd\/\d+|proc\/self\/fd\/\d+)$/;

export class EventBuilder {
  private readonly ctx: MapContext;
  private seq = 0;
  private readonly lookup = (pid: number) => this.table.get(pid);

  constructor(
    private readonly table: ProcessTable,
    ctx: MapContext,
    private readonly bootId: string,
    private readonly containers?: ContainerResolver,
  ) {
    // names from the agent's own /etc unless the caller resolves them under the host root
    this.ctx = ctx.names ? ctx : { ...ctx, names: new UserNames() };
  }

  /** A leader (pgid or sid) of p: that pid, if it started no later than p. */
  private leaderOf(pid: number, p: ProcessInfo): ProcessInfo | undefined {
    const l = pid ? this.table.get(pid) : undefined;
    return l && l.startTicks <= p.startTicks ? l : undefined;
  }

  private view(p: ProcessInfo): ProcessView {
    const e = p.entryLeader;
    return {
      p, parent: this.parentOf(p), group: this.leaderOf(p.pgid, p), session: this.leaderOf(p.sid, p),
      entry: e ? this.table.getExact(e.pid, e.startTicks) : undefined,
    };
  }

  private parentOf(p: { ppid: number; startTicks: number }): ProcessInfo | undefined {
    const parent = this.table.get(p.ppid);
    return parent && parent.startTicks <= p.startTicks ? parent : undefined;
  }

  /** The process a record belongs to: known, or a minimal entry when it predates us. */
  private known(pid: number, startTicks: number, name: string, cgroupId: string, ids: Partial<ProcessInfo>): ProcessInfo {
    const p = this.table.getExact(pid, startTicks);
    if (p) return p;
    const info: ProcessInfo = {
      pid, ppid: 0, entityId: entityId(this.bootId, pid, startTicks), startTicks, name,
      executable: undefined, args: [], argsCount: 0, argsTruncated: false, uid: 0, euid: 0, gid: 0,
      egid: 0, cgroupId, exitedAtMs: undefined, ...NO_SESSION, ...ids,
    };
    this.table.set(info);
    return info;
  }

  /** wallMs: the event's time (from ev.ts) as epoch ms; nowMs: when it is handled */
  handle(ev: SensorEvent, wallMs: number, nowMs: number): LiveEvent {
    const seq = ++this.seq;
    const c = this.containers?.resolve(ev.cgroupId);
    switch (ev.kind) {
      case 'exec':
        return new LiveEvent(wallMs, seq, PROCESS, START, 'exec', this.view(this.exec(ev)), this.ctx, c);
      case 'fork':
        return new LiveEvent(wallMs, seq, PROCESS, START, 'fork', this.view(this.fork(ev)), this.ctx, c);
      case 'exit': {
        const v = this.view(this.known(ev.pid, ev.startTicks, ev.comm, ev.cgroupId, {}));
        this.table.markExited(ev.pid, ev.startTicks, nowMs);
        return new LiveEvent(wallMs, seq, PROCESS, END, 'end', v, this.ctx, c, ev);
      }
      case 'net': {
        const v = this.view(this.known(ev.pid, ev.startTicks, '', ev.cgroupId, { uid: ev.uid, euid: ev.euid }));
        return new LiveEvent(wallMs, seq, NETWORK, networkTypes(ev.op), networkAction(ev.op), v, this.ctx, c, ev);
      }
    }
  }

  /** The child after a fork, now in the table: its parent's image until it execs. */
  private fork(ev: ForkRecord): ProcessInfo {
    const parent = this.parentOf(ev);
    const p: ProcessInfo = {
      pid: ev.pid, ppid: ev.ppid, entityId: entityId(this.bootId, ev.pid, ev.startTicks),
      startTicks: ev.startTicks, name: parent?.name ?? ev.comm, executable: parent?.executable,
      args: parent?.args ?? [], argsCount: parent?.argsCount ?? 0,
      argsTruncated: parent?.argsTruncated ?? false, uid: ev.uid, euid: ev.euid,
      gid: parent?.gid ?? 0, egid: parent?.egid ?? 0, cgroupId: ev.cgroupId, exitedAtMs: undefined,
      pgid: ev.pgid, sid: ev.sid, ttyMajor: ev.ttyMajor, ttyMinor: ev.ttyMinor, cwd: parent?.cwd,
      // same credentials and environment as the parent until it execs
      capEffective: parent?.capEffective, capPermitted: parent?.capPermitted, env: parent?.env,
      entryLeader: parent?.entryLeader, entryType: undefined,
    };
    if (!p.entryLeader) evaluateEntryLeader(p, this.lookup);
    this.table.set(p);
    return p;
  }

  /** The process after an exec, now in the table. */
  private exec(ev: ExecEvent): ProcessInfo {
    const before = this.table.getExact(ev.pid, ev.startTicks);
    const path = ev.filename;
    let name = path !== undefined ? basename(path) : ev.exeName;
    let executable = path;
    if (path === undefined || INDIRECT_EXEC.test(path)) {
      name = ev.exeName;
      executable = before?.executable && basename(before.executable) === ev.exeName ? before.executable : path;
    }
    const s = ev.session;
    const p: ProcessInfo = {
      // same pid and start time as before the exec: the same process, so the same entity id
      pid: ev.pid, ppid: ev.ppid, entityId: before?.entityId ?? entityId(this.bootId, ev.pid, ev.startTicks),
      startTicks: ev.startTicks, name, executable, args: ev.args, argsCount: ev.argc,
      argsTruncated: ev.argsTruncated, uid: ev.uid, euid: ev.euid, gid: ev.gid, egid: ev.egid,
      cgroupId: ev.cgroupId, exitedAtMs: undefined, pgid: s?.pgid ?? 0, sid: s?.sid ?? 0, ttyMajor: s?.ttyMajor ?? 0,
      ttyMinor: s?.ttyMinor ?? 0, cwd: ev.cwd, capEffective: s?.capEffective, capPermitted: s?.capPermitted, env: ev.env,
      entryLeader: undefined, entryType: undefined,
    };
    if (ev.executableTruncated) p.executableTruncated = true;
    evaluateEntryLeader(p, this.lookup);
    this.table.set(p);
    return p;
  }
}
