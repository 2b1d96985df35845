// Cuts an NDJSON file back to its last complete line (a crash or a failed write can leave a
// torn one). Returns the new size and whether anything was cut.

import { ftruncateSync, readSync } from 'node:fs';

export function cutTornTail(fd: number, size: number): { size: number; cut: boolean } {
  if (size === 0) return { size, cut: false };
  const tail = Buffer.alloc(Math.min(size, 1 << 20));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  if (tail[tail.length - 1] === 0x0a) return { size, cut: false };
  const lastNl = tail.lastIndexOf(0x0a);
  const keep = lastNl < 0 ? size - tail.length : size - tail.length + lastNl + 1;
  ftruncateSync(fd, keep);
  return { size: keep, cut: true };
}
