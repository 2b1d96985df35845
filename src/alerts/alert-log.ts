// The durable alert log: NDJSON, one document per line, appended in batches; a batch counts
// as written only after fdatasync. File 0640 in a 0750 directory; size-based rotation keeping
// `keep` files (path.1 newest); reopen() for an external logrotate (SIGHUP). A torn last line
// left by a crash is cut off at open, so the file is whole lines only.

import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AlertLogOptions {
  maxBytes: number;
  keep: number;
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
    rmSync(`${this.path}.${this.opts.keep}`, { force: true });
    for (let i = this.opts.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch {
        /* not there yet */
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = this.open();
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
