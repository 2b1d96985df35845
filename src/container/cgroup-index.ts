// cgroup v2 id (the inode of its directory) -> path, by walking the cgroup2 mount visible to
// the agent (the host's, mounted under hostRoot in a DaemonSet). The fallback for cgroups the
// probe did not name (processes older than the agent). Rebuilt on a miss, at most once a second;
// a walk that stops at the entry bound is counted (cgroup_index_truncated).

import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { Counters } from '../util/counters.js';

function cgroup2Mount(mountsText: string, hostRoot: string): string | undefined {
  const mounts = mountsText.split('\n').map((l) => l.split(' ')).filter((f) => f[2] === 'cgroup2').map((f) => f[1]!);
  return mounts.find((m) => hostRoot && m.startsWith(`${hostRoot}/`)) ?? mounts[0];
}

export class CgroupIndex {
  private byId = new Map<string, string>();
  // -Infinity: the first refresh (the seed at start, refresh(0)) always walks
  private lastWalk = -Infinity;
  private walking: Promise<void> | undefined;
  readonly root: string | undefined;

  constructor(
    hostRoot: string,
    private readonly counters: Counters,
    private readonly maxEntries = 100000,
  ) {
    let mounts = '';
    try {
      mounts = readFileSync('/proc/self/mounts', 'utf8');
    } catch {
      /* no /proc: no index */
    }
    this.root = cgroup2Mount(mounts, hostRoot);
  }

  get(id: string): string | undefined {
    return this.byId.get(id);
  }

  /** Rebuilds the index unless that was done within the last second. */
  refresh(nowMs = Date.now()): Promise<void> {
    if (!this.root || this.walking || nowMs - this.lastWalk < 1000) return this.walking ?? Promise.resolve();
    this.lastWalk = nowMs;
    this.walking = this.walk().finally(() => {
      this.walking = undefined;
    });
    return this.walking;
  }

  private async walk(): Promise<void> {
    const root = this.root!;
    const next = new Map<string, string>();
    const queue = [''];
    while (queue.length && next.size < this.maxEntries) {
      const rel = queue.shift()!;
      const st = await stat(`${root}${rel}`).catch(() => undefined);
      if (!st) continue;
      next.set(String(st.ino), rel || '/');
      for (const e of await readdir(`${root}${rel}`, { withFileTypes: true }).catch(() => [])) {
        if (e.isDirectory()) queue.push(`${rel}/${e.name}`);
      }
    }
    if (queue.length) this.counters.inc('cgroup_index_truncated');
    this.byId = next;
  }
}
