// uid/gid -> name from the host's /etc/passwd and /etc/group (under hostRoot in DaemonSet mode).
// Cached; the files are stat'ed at most once per `recheckMs` and re-read when they change.

import { readFileSync, statSync } from 'node:fs';

/** Files larger than this are not read (a passwd file this size is not a real one). */
const MAX_BYTES = 16 * 1024 * 1024;

interface Table {
  stamp: string;
  names: Map<number, string>;
}

/** `name:x:id:...` lines -> id -> first name seen; malformed lines skipped. */
export function parseIdFile(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const id = f[2];
    if (!f[0] || id === undefined || !/^\d{1,10}$/.test(id)) continue;
    const n = Number(id);
    if (!names.has(n)) names.set(n, f[0]);
  }
  return names;
}

interface UserNamesStats {
  reloads: number;
}

export class UserNames {
  private readonly tables: Record<'passwd' | 'group', Table> = {
    passwd: { stamp: '', names: new Map() },
    group: { stamp: '', names: new Map() },
  };
  private checkedAt = -Infinity;
  readonly stats: UserNamesStats = { reloads: 0 };

  constructor(
    private readonly hostRoot = '',
    private readonly recheckMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  user(id: number): string | undefined {
    this.refresh();
    return this.tables.passwd.names.get(id);
  }

  group(id: number): string | undefined {
    this.refresh();
    return this.tables.group.names.get(id);
  }

  private refresh(): void {
    const t = this.now();
    if (t - this.checkedAt < this.recheckMs) return;
    this.checkedAt = t;
    for (const file of ['passwd', 'group'] as const) this.reload(file);
  }

  private reload(file: 'passwd' | 'group'): void {
    const path = `${this.hostRoot}/etc/${file}`;
    const table = this.tables[file];
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (stamp === table.stamp) return;
      table.names = st.size <= MAX_BYTES ? parseIdFile(readFileSync(path, 'utf8')) : new Map();
    } catch {
      stamp = 'missing';
      if (stamp === table.stamp) return;
      table.names = new Map();
    }
    table.stamp = stamp;
    this.stats.reloads++;
  }
}
