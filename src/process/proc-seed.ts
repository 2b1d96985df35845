// Reads every process under <procRoot> once at start, so processes older than the agent are
// known with the same entity id formula as the ones seen starting. I/O edge.

import { readdir, readFile, readlink } from 'node:fs/promises';
import { entityId } from './entity-id.js';
import { evaluateEntryLeader } from './leaders.js';
import { basename, parseCmdline, parseProcStat, parseProcStatusCaps, parseProcStatusIds } from './proc-parse.js';
import type { ProcessInfo } from './process-info.js';

async function readProcess(procRoot: string, pid: number, bootId: string): Promise<ProcessInfo | undefined> {
  const dir = `${procRoot}/${pid}`;
  try {
    const [statText, statusText, cmdline] = await Promise.all([
      readFile(`${dir}/stat`, 'utf8'),
      readFile(`${dir}/status`, 'utf8'),
      readFile(`${dir}/cmdline`),
    ]);
    const stat = parseProcStat(statText);
    const ids = parseProcStatusIds(statusText);
    if (!stat || !ids) return undefined;
    const [executable, cwd] = await Promise.all([
      readlink(`${dir}/exe`).catch(() => undefined),
      readlink(`${dir}/cwd`).catch(() => undefined),
    ]);
    const caps = parseProcStatusCaps(statusText);
    const args = parseCmdline(cmdline);
    return {
      pid, ppid: stat.ppid, entityId: entityId(bootId, pid, stat.startTicks), startTicks: stat.startTicks,
      name: executable ? basename(executable.replace(/ \(deleted\)$/, '')) : stat.comm,
      executable, args, argsCount: args.length, argsTruncated: false, ...ids,
      cgroupId: undefined, exitedAtMs: undefined, pgid: stat.pgid, sid: stat.sid, ttyMajor: stat.ttyMajor,
      ttyMinor: stat.ttyMinor, cwd: cwd?.startsWith('/') ? cwd : undefined, capEffective: caps?.capEffective,
      capPermitted: caps?.capPermitted, env: undefined, entryLeader: undefined, entryType: undefined,
    };
  } catch {
    return undefined; // the process exited while we read it
  }
}

export async function seedProcesses(procRoot: string, bootId: string): Promise<ProcessInfo[]> {
  const pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n)).map(Number);
  const out: ProcessInfo[] = [];
  for (let i = 0; i < pids.length; i += 64) {
    const batch = await Promise.all(pids.slice(i, i + 64).map((p) => readProcess(procRoot, p, bootId)));
    for (const p of batch) if (p) out.push(p);
  }
  // entry leaders need their parents and leaders evaluated first: oldest first
  out.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  const byPid = new Map(out.map((p) => [p.pid, p]));
  for (const p of out) evaluateEntryLeader(p, (pid) => byPid.get(pid));
  return out;
}
