// An output's place in the alert log, persisted atomically (temp file, fsync, rename, fsync of
// the directory). The runner decides when (docs/delivery.md: per batch, or every 250 ms while
// a backlog drains), so a crash re-sends at most that much.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A position in one file of the alert log, which is identified by inode and its first bytes. */
export interface Checkpoint {
  ino: number;
  /** sha256 of the file's first min(offset, 256) bytes: tells a reused inode from the same file */
  head: string;
  offset: number;
}

export function loadCheckpoint(path: string): Checkpoint | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const cp = JSON.parse(text) as Partial<Checkpoint>;
  if (typeof cp.ino !== 'number' || typeof cp.head !== 'string' || typeof cp.offset !== 'number') throw new Error(`${path}: not a checkpoint`);
  return { ino: cp.ino, head: cp.head, offset: cp.offset };
}

export function saveCheckpoint(path: string, cp: Checkpoint): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o640);
  try {
    writeSync(fd, `${JSON.stringify(cp)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
