// The alert log's files, oldest first: path.N ... path.2, path.1, path. Rotated files are
// sealed (never written again); only `path` grows.

import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface LogFile {
  path: string;
  /** 0 for the live file, n for path.n */
  index: number;
  ino: number;
  size: number;
}

export function logFiles(path: string): LogFile[] {
  const dir = dirname(path);
  const base = basename(path);
  const found: LogFile[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    let index: number;
    if (name === base) index = 0;
    else if (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1))) index = Number(name.slice(base.length + 1));
    else continue;
    try {
      const st = statSync(join(dir, name));
      if (st.isFile()) found.push({ path: join(dir, name), index, ino: st.ino, size: st.size });
    } catch {
      /* rotated away meanwhile */
    }
  }
  return found.sort((a, b) => b.index - a.index);
}
