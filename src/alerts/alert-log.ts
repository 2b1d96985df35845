// The durable alert log: NDJSON, one document per line, appended in batches; a batch counts
// as written only after fdatasync. File 0640 in a 0750 directory; size-based rotation keeping
// `keep` files (path.1 newest); reopen() for an external logrotate (SIGHUP). A torn last line
// left by a crash is cut off at open, so the file is whole lines only.
// The log is also the outputs' queue: rotation keeps files an output still needs beyond
// `keep`, up to maxUndeliveredBytes; past that it deletes the oldest and reports the drop.

import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { type LogFile, logFiles } from './log-files.js';

export interface Retention {
  /** inodes of the files outputs are reading now; each needs that file and every newer one */
  neededInodes(): number[];
  /** a file still needed was deleted to stay under maxUndeliveredBytes */
  dropped(file: LogFile): void;
}

export interface AlertLogOptions {
  maxBytes: number;
  keep: number;
  maxUndeliveredBytes?: number;
  retention?: Retention;
}

export class AlertLog {
  private fd: number;
  private size = 0;
  private pending: string[] = [];
  private flushScheduled = false;
  written = 0;
  tornLinesRepaired = 0;

  constructor(
    readonly path: string,
    private readonly opts: AlertLogOptions,
    private readonly onWritten?: (count: number) => void,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    this.fd = this.open();
  }

  private open(): number {
    const fd = openSync(this.path, 'a+', 0o640);
    this.size = fstatSync(fd).size;
    this.repairTornTail(fd);
    return fd;
  }

  private repairTornTail(fd: number): void {
    if (this.size === 0) return;
    const tail = Buffer.alloc(Math.min(this.size, 1 << 20));
    readSync(fd, tail, 0, tail.length, this.size - tail.length);
    if (tail[tail.length - 1] === 0x0a) return;
    const lastNl = tail.lastIndexOf(0x0a);
    const keep = lastNl < 0 ? this.size - tail.length : this.size - tail.length + lastNl + 1;
    ftruncateSync(fd, keep);
    this.size = keep;
    this.tornLinesRepaired++;
  }

  /** Queues a document; it is written and synced with the next batch (same tick). */
  append(doc: unknown): void {
    this.pending.push(`${JSON.stringify(doc)}\n`);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes and fdatasyncs everything queued; then (and only then) it counts as written. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const buf = Buffer.from(batch.join(''));
    if (this.size > 0 && this.size + buf.length > this.opts.maxBytes) this.rotate();
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    fdatasyncSync(this.fd);
    this.size += buf.length;
    this.written += batch.length;
    this.onWritten?.(batch.length);
  }

  private rotate(): void {
    closeSync(this.fd);
    for (const f of logFiles(this.path)) renameSync(f.path, `${this.path}.${f.index + 1}`);
    this.prune();
    this.fd = this.open();
  }

  /** Deletes rotated files past `keep` that every output has delivered, then enforces the disk bound. */
  private prune(): void {
    const files = logFiles(this.path);
    const needed = new Set(this.opts.retention?.neededInodes() ?? []);
    const oldestNeeded = Math.max(0, ...files.filter((f) => needed.has(f.ino)).map((f) => f.index));
    const extra: LogFile[] = [];
    for (const f of files) {
      if (f.index <= this.opts.keep) continue;
      if (f.index > oldestNeeded) rmSync(f.path, { force: true });
      else extra.push(f);
    }
    let bytes = extra.reduce((n, f) => n + f.size, 0);
    const bound = this.opts.maxUndeliveredBytes ?? Infinity;
    for (const f of extra) {
      if (bytes <= bound) break;
      rmSync(f.path, { force: true });
      bytes -= f.size;
      this.opts.retention?.dropped(f);
    }
  }

  /** For logrotate's copytruncate-less mode: the file was moved away; start a new one. */
  reopen(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = this.open();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
