// One output's reader of the alert log, which is its queue. It holds the file it reads open, so
// a rotation (rename) never loses its place; at the end of a sealed (rotated) file it moves to
// the next newer one. It hands out whole lines only: a line still being written waits.

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { logFiles } from '../alerts/log-files.js';
import type { Checkpoint } from './checkpoint-store.js';

const CHUNK = 1 << 20;
const HEAD_BYTES = 256;
const EMPTY_HEAD = createHash('sha256').digest('hex');

interface QueueBatch {
  lines: string[];
  bytes: number;
  /** where the queue stands after this batch */
  end: Checkpoint;
}

interface OpenResult {
  /** why the queue could not resume where its checkpoint said */
  note?: string;
}

function countNewlines(fd: number, from: number, size: number, buf: Buffer): number {
  let n = 0;
  for (let pos = from; pos < size; ) {
    const got = readSync(fd, buf, 0, Math.min(CHUNK, size - pos), pos);
    if (got <= 0) break;
    for (let i = buf.indexOf(0x0a, 0); i >= 0 && i < got; i = buf.indexOf(0x0a, i + 1)) n++;
    pos += got;
  }
  return n;
}

function headOf(fd: number, offset: number): string {
  const len = Math.min(offset, HEAD_BYTES);
  const buf = Buffer.alloc(len);
  const got = len ? readSync(fd, buf, 0, len, 0) : 0;
  return createHash('sha256').update(buf.subarray(0, got)).digest('hex');
}

export class AlertQueue {
  private fd = -1;
  private ino = 0;
  /** offset of the first byte not yet handed out */
  private pos = 0;
  private carry: Buffer = Buffer.alloc(0);
  private head?: string;
  /** reused for every read: carry keeps only the bytes read */
  private readonly chunk = Buffer.allocUnsafe(CHUNK);
  /** complete alerts in the log not yet handed out */
  unread = 0;

  constructor(private readonly path: string) {}

  /** The ino of the file being read: rotation must keep it and everything newer. */
  get currentIno(): number {
    return this.ino;
  }

  open(cp: Checkpoint | undefined, startAt: 'oldest' | 'end'): OpenResult {
    const files = logFiles(this.path);
    let note: string | undefined;
    if (cp) {
      for (const f of files.filter((x) => x.ino === cp.ino && x.size >= cp.offset)) {
        const fd = openSync(f.path, 'r');
        if (headOf(fd, cp.offset) === cp.head) {
          this.attach(fd, cp.offset);
          break;
        }
        closeSync(fd);
      }
      if (this.fd < 0) note = 'the file the checkpoint points into is gone (rotated past the disk bound or removed): starting at the oldest kept file';
    }
    if (this.fd < 0) {
      const f = cp || startAt === 'oldest' ? files[0] : files[files.length - 1];
      if (f) this.attach(openSync(f.path, 'r'), cp || startAt === 'oldest' ? 0 : f.size);
    }
    this.unread = this.countAhead();
    return { note };
  }

  private attach(fd: number, offset: number): void {
    this.fd = fd;
    this.ino = fstatSync(fd).ino;
    this.pos = offset;
    this.carry = Buffer.alloc(0);
    this.head = undefined;
  }

  private countAhead(): number {
    if (this.fd < 0) return 0;
    let n = countNewlines(this.fd, this.pos, fstatSync(this.fd).size, this.chunk);
    const files = logFiles(this.path);
    const i = files.findIndex((f) => f.ino === this.ino);
    for (const f of i < 0 ? [] : files.slice(i + 1)) {
      const fd = openSync(f.path, 'r');
      try {
        n += countNewlines(fd, 0, f.size, this.chunk);
      } finally {
        closeSync(fd);
      }
    }
    return n;
  }

  /** The live file has another inode now: ours is complete and will not grow. */
  private sealed(): boolean {
    try {
      return statSync(this.path).ino !== this.ino;
    } catch {
      return true;
    }
  }

  /** Moves to the next newer file; false if there is none yet. */
  private advance(): boolean {
    const files = logFiles(this.path);
    const i = files.findIndex((f) => f.ino === this.ino);
    const next = i < 0 ? files[0] : files[i + 1];
    if (!next || next.ino === this.ino) return false;
    closeSync(this.fd);
    this.attach(openSync(next.path, 'r'), 0);
    return true;
  }

  /** Reads more of the current file into carry; false at its end. */
  private fill(): boolean {
    const got = readSync(this.fd, this.chunk, 0, CHUNK, this.pos + this.carry.length);
    if (got <= 0) return false;
    this.carry = Buffer.concat([this.carry, this.chunk.subarray(0, got)]);
    return true;
  }

  /**
   * Up to maxLines whole lines within maxBytes, counting `already` bytes taken before (a longer
   * line goes alone); may be empty.
   */
  read(maxLines: number, maxBytes: number, already = 0): QueueBatch {
    const lines: string[] = [];
    let bytes = already;
    while (this.fd >= 0 && lines.length < maxLines) {
      const nl = this.carry.indexOf(0x0a);
      if (nl < 0) {
        if (this.fill()) continue;
        if (!this.sealed()) break;
        // a sealed file ending without a newline cannot come from our writer (it cuts a torn
        // tail before it appends or rotates); skip the fragment rather than stall on it
        this.pos += this.carry.length;
        this.carry = Buffer.alloc(0);
        if (!this.advance()) break;
        continue;
      }
      if (bytes > 0 && bytes + nl + 1 > maxBytes) break;
      lines.push(this.carry.toString('utf8', 0, nl));
      bytes += nl + 1;
      this.carry = this.carry.subarray(nl + 1);
      this.pos += nl + 1;
    }
    this.unread = Math.max(0, this.unread - lines.length);
    return { lines, bytes: bytes - already, end: this.checkpoint() };
  }

  checkpoint(): Checkpoint {
    if (this.fd < 0) return { ino: 0, head: EMPTY_HEAD, offset: 0 };
    if (this.head === undefined || this.pos < HEAD_BYTES) {
      const h = headOf(this.fd, this.pos);
      if (this.pos >= HEAD_BYTES) this.head = h;
      return { ino: this.ino, head: h, offset: this.pos };
    }
    return { ino: this.ino, head: this.head, offset: this.pos };
  }

  /** The alert log wrote n more alerts. */
  written(n: number): void {
    if (this.fd < 0) {
      const live = logFiles(this.path).at(-1);
      if (live) this.attach(openSync(live.path, 'r'), 0);
    }
    this.unread += n;
  }

  /** The file with this inode was deleted under the disk bound: skip what is left of it. */
  dropped(ino: number): number {
    if (ino !== this.ino) return 0;
    const lost = countNewlines(this.fd, this.pos, fstatSync(this.fd).size, this.chunk);
    this.carry = Buffer.alloc(0);
    if (!this.advance()) {
      closeSync(this.fd);
      this.fd = -1;
    }
    this.unread = Math.max(0, this.unread - lost);
    return lost;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
