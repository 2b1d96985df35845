// Elastic's session model (auditbeat sessionmd, Elastic Defend): tty kinds, interactive, and the
// entry leader of a process with its entry_meta.type. Pure; the caller supplies the lookup.

import { basename } from './proc-parse.js';
import type { ProcessInfo } from './process-info.js';

type TtyKind = 'tty' | 'console' | 'pts' | 'unknown';

/** Linux device numbers: 4:0-63 virtual consoles, 4:64-255 serial ttys, 136-143 pseudo-terminals. */
export function ttyKind(major: number, minor: number): TtyKind {
  if (major >= 136 && major <= 143) return 'pts';
  if (major === 4 && minor <= 63) return 'console';
  if (major === 4 && minor <= 255) return 'tty';
  return 'unknown';
}

/** Elastic's `process.interactive`: the controlling tty is a console, serial tty or pts. */
export function isInteractive(p: Pick<ProcessInfo, 'ttyMajor' | 'ttyMinor'>): boolean {
  return ttyKind(p.ttyMajor, p.ttyMinor) !== 'unknown';
}

const CONTAINER_RUNTIMES = ['containerd-shim', 'runc', 'conmon'];
/** implementation details of entry mechanisms: never entry leaders by parentage */
const FILTERED = ['runc', 'containerd-shim', 'calico-node', 'check-status', 'conmon'];
const startsWithAny = (s: string, list: string[]) => list.some((x) => s.startsWith(x));

type Lookup = (pid: number) => ProcessInfo | undefined;

/**
 * Sets p.entryLeader (and p.entryType when p is one) as sessionmd does: init and kernel threads
 * have none; a session leader on a serial tty is `terminal`, `login` on a console `console`, a
 * child of pid 1 `init`; else by its parent: ssm-session-worker on a pts `ssm`, sshd `sshd`, a
 * container runtime `container`. Otherwise the entry leader of the parent, session leader or
 * group leader, in that order; a session leader with none of these is its own, `unknown`.
 */
export function evaluateEntryLeader(p: ProcessInfo, lookup: Lookup): void {
  p.entryLeader = undefined;
  p.entryType = undefined;
  if (p.pid === 1 || p.pid === 2 || p.ppid === 2) return;
  const self = () => {
    p.entryLeader = { pid: p.pid, startTicks: p.startTicks };
  };
  if (p.pid === p.sid) {
    const kind = ttyKind(p.ttyMajor, p.ttyMinor);
    const name = p.executable ? basename(p.executable) : p.name;
    let type: string | undefined;
    if (kind === 'tty') type = 'terminal';
    else if (kind === 'console' && name === 'login') type = 'console';
    else if (p.ppid === 1) type = 'init';
    else if (!startsWithAny(name, FILTERED)) {
      const parent = lookup(p.ppid);
      const parentName = parent ? (parent.executable ? basename(parent.executable) : parent.name) : undefined;
      if (parentName !== undefined) {
        if (kind === 'pts' && parentName === 'ssm-session-worker') type = 'ssm';
        else if (parentName === 'sshd' && name !== 'sshd') type = 'sshd';
        else if (startsWithAny(parentName, CONTAINER_RUNTIMES)) type = 'container';
      }
    }
    if (type) {
      p.entryType = type;
      return self();
    }
  }
  for (const rel of [p.ppid, p.sid, p.pgid]) {
    const r = rel && rel !== p.pid ? lookup(rel) : undefined;
    if (r?.entryLeader) {
      p.entryLeader = r.entryLeader;
      return;
    }
  }
  if (p.pid === p.sid) {
    p.entryType = 'unknown';
    self();
  }
}
