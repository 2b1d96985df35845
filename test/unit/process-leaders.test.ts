// Elastic's session model: tty kinds, interactive, entry leader and entry_meta.type derivation,
// and the ECS leader objects built from them.

import { describe, expect, it } from 'vitest';
import { withParent } from '../../src/ecs/process-fields.js';
import { capabilityNames } from '../../src/process/capabilities.js';
import { evaluateEntryLeader, isInteractive, ttyKind } from '../../src/process/leaders.js';
import { NO_SESSION, type ProcessInfo } from '../../src/process/process-info.js';
import type { Clock } from '../../src/util/clock.js';
import { ecsProblems } from '../helpers/ecs-validate.js';

function proc(pid: number, ppid: number, executable: string, more: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid, ppid, entityId: `e${pid}`, startTicks: pid, name: executable.split('/').pop()!, executable, args: [executable],
    argsCount: 1, argsTruncated: false, uid: 0, euid: 0, gid: 0, egid: 0, cgroupId: undefined, exitedAtMs: undefined,
    ...NO_SESSION, pgid: pid, sid: pid, ...more,
  };
}

function table(...ps: ProcessInfo[]) {
  const m = new Map<number, ProcessInfo>();
  for (const p of ps) {
    evaluateEntryLeader(p, (pid) => m.get(pid));
    m.set(p.pid, p);
  }
  return m;
}

describe('tty kinds', () => {
  it('classifies consoles, serial ttys and pseudo-terminals', () => {
    expect(ttyKind(4, 1)).toBe('console');
    expect(ttyKind(4, 64)).toBe('tty');
    expect(ttyKind(136, 0)).toBe('pts');
    expect(ttyKind(143, 9)).toBe('pts');
    expect(ttyKind(5, 1)).toBe('unknown');
    expect(ttyKind(0, 0)).toBe('unknown');
    expect(isInteractive({ ttyMajor: 136, ttyMinor: 3 })).toBe(true);
    expect(isInteractive({ ttyMajor: 0, ttyMinor: 0 })).toBe(false);
  });
});

describe('entry leaders', () => {
  it('init, kernel threads: none; a session leader under pid 1 is init; its children inherit it', () => {
    const m = table(proc(1, 0, '/sbin/init'), proc(2, 0, ''), proc(50, 2, ''), proc(300, 1, '/usr/sbin/cron'),
      proc(301, 300, '/bin/sh', { pgid: 301, sid: 300 }));
    expect([m.get(1)!.entryLeader, m.get(2)!.entryLeader, m.get(50)!.entryLeader]).toEqual([undefined, undefined, undefined]);
    expect(m.get(300)).toMatchObject({ entryType: 'init', entryLeader: { pid: 300 } });
    expect(m.get(301)).toMatchObject({ entryType: undefined, entryLeader: { pid: 300, startTicks: 300 } });
  });

  it('sshd: a session leader whose parent is sshd (not sshd itself)', () => {
    const m = table(proc(1, 0, '/sbin/init'), proc(10, 1, '/usr/sbin/sshd'), proc(20, 10, '/usr/sbin/sshd', { pgid: 10, sid: 10 }),
      proc(30, 20, '/bin/bash', { ttyMajor: 136, ttyMinor: 0 }), proc(31, 30, '/usr/bin/id', { pgid: 31, sid: 30, ttyMajor: 136 }));
    expect(m.get(10)!.entryType).toBe('init');
    expect(m.get(20)!.entryLeader).toEqual({ pid: 10, startTicks: 10 });
    expect(m.get(30)).toMatchObject({ entryType: 'sshd', entryLeader: { pid: 30 } });
    expect(m.get(31)!.entryLeader).toEqual({ pid: 30, startTicks: 30 });
  });

  it('terminal (serial tty), console (login on a VT), ssm (pts under ssm-session-worker), container (runtime parent)', () => {
    const m = table(
      proc(40, 7, '/sbin/agetty', { ttyMajor: 4, ttyMinor: 64 }),
      proc(41, 7, '/bin/login', { ttyMajor: 4, ttyMinor: 1 }),
      proc(42, 7, '/usr/bin/ssm-session-worker', { pgid: 7, sid: 7 }),
      proc(43, 42, '/bin/sh', { ttyMajor: 136, ttyMinor: 4 }),
      proc(44, 7, '/usr/bin/containerd-shim-runc-v2', { pgid: 7, sid: 7 }),
      proc(45, 44, '/usr/sbin/nginx'),
      proc(46, 44, '/usr/bin/runc'),
    );
    expect(['terminal', 'console', 'ssm', 'container'].map((t, i) => [m.get([40, 41, 43, 45][i]!)!.entryType, t]).every(([a, b]) => a === b)).toBe(true);
    // a filtered executable is no entry leader by parentage: unknown, its own
    expect(m.get(46)!.entryType).toBe('unknown');
  });

  it('falls back to the session leader, then the group leader; else unset', () => {
    const m = table(proc(60, 5, '/bin/bash', { ttyMajor: 4, ttyMinor: 70 }), proc(61, 999, '/bin/x', { pgid: 61, sid: 60 }),
      proc(70, 999, '/bin/y', { pgid: 61, sid: 71 }), proc(80, 999, '/bin/z', { pgid: 81, sid: 82 }));
    expect(m.get(61)!.entryLeader).toEqual({ pid: 60, startTicks: 60 });
    expect(m.get(70)!.entryLeader).toEqual({ pid: 60, startTicks: 60 });
    expect(m.get(80)!.entryLeader).toBeUndefined();
  });
});

describe('ECS leader objects', () => {
  const clock = { startIso: (t: number) => new Date(t * 10).toISOString() } as unknown as Clock;

  it('emits group, session and entry leaders with same_as_process, entry_meta.type, tty, cwd and caps, valid ECS', () => {
    const shell = proc(30, 20, '/bin/bash', { ttyMajor: 136, ttyMinor: 2, cwd: '/root', entryLeader: { pid: 30, startTicks: 30 }, entryType: 'sshd' });
    const child = proc(31, 30, '/usr/bin/id', {
      pgid: 31, sid: 30, ttyMajor: 136, ttyMinor: 2, cwd: '/tmp', entryLeader: { pid: 30, startTicks: 30 },
      capEffective: 0x1ffffffffff, capPermitted: 1 << 21, env: ['LD_PRELOAD=/tmp/x.so'],
    });
    const o = withParent({ p: child, parent: shell, group: child, session: shell, entry: shell }, clock);
    expect(o).toMatchObject({
      working_directory: '/tmp', interactive: true, tty: { char_device: { major: 136, minor: 2 } },
      parent: { pid: 30, working_directory: '/root', interactive: true },
      group_leader: { pid: 31, entity_id: 'e31', same_as_process: true },
      session_leader: { pid: 30, name: 'bash', same_as_process: false },
      entry_leader: { pid: 30, executable: '/bin/bash', args: ['/bin/bash'], entry_meta: { type: 'sshd' }, same_as_process: false },
      env_vars: ['LD_PRELOAD=/tmp/x.so'],
    });
    const caps = (o.thread as { capabilities: { effective: string[]; permitted: string[] } }).capabilities;
    expect(caps.effective).toHaveLength(41);
    expect(caps.permitted).toEqual(['CAP_SYS_ADMIN']);
    expect(ecsProblems({ process: o })).toEqual([]);
    // a leader the table does not know: its pid only
    const lone = withParent({ p: child, parent: undefined, group: undefined, session: undefined, entry: undefined }, clock);
    expect(lone).toMatchObject({ group_leader: { pid: 31, same_as_process: true }, session_leader: { pid: 30, same_as_process: false } });
    expect(lone.entry_leader).toBeUndefined();
  });

  it('names capabilities, unknown bits by number', () => {
    expect(capabilityNames(0)).toEqual([]);
    expect(capabilityNames(1 + 2 ** 7 + 2 ** 45)).toEqual(['CAP_CHOWN', 'CAP_SETUID', '45']);
  });
});
