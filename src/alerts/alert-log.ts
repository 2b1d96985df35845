// The durable alert log: NDJSON, one document per line, appended in batches; a batch counts
// as written only after fdatasync. File 0640 in a 0750 directory; size-based rotation keeping
// `keep` files (path.1 newest); reopen() for an external logrotate (SIGHUP). A torn last line
// left by a crash is cut off at open, so the file is whole lines only.
// The log is also the outputs' queue: rotation keeps files an output still needs beyond
// `keep`, up to maxUndeliveredBytes; past that it deletes the oldest and reports the drop.
// With a FaultPolicy (the agent's log) a failing disk never throws: alerts wait in memory up
// to a bound and are retried in order; without one (dead letters) a failure throws to the caller.

import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Counters } from '../util/counters.js';
import { type LogFile, logFiles } from './log-files.js';
import { cutTornTail } from './torn-tail.js';
import { CodedError } from '../util/coded-error.js';

export interface Retention {
  /** inodes of the files outputs are reading now; each needs that file and every newer one */
  neededInodes(): number[];
  /** a file still needed was deleted to stay under maxUndeliveredBytes */
  dropped(file: LogFile): void;
}

export interface AlertLogFault {
  op: 'write' | 'reopen';
  code: string;
  message: string;
  since: number;
}

interface FaultPolicy {
  maxBufferedAlerts: number;
  maxBufferedBytes: number;
  retryMs: number;
  counters: Counters;
  /** a fault of this kind began, changed its code, or (undefined) cleared */
  onState(op: AlertLogFault['op'], fault: AlertLogFault | undefined): void;
}

export interface AlertLogOptions {
  maxBytes: number;
  keep: number;
  maxUndeliveredBytes?: number;
  retention?: Retention;
  faults?: FaultPolicy;
}

/** The alert log (or another file the agent writes) cannot be opened for writing at start. */
export class AlertLogError extends CodedError {
  constructor(readonly errno: string, message: string, location?: string) {
    super('PATH_UNWRITABLE', message, location);
  }
}

const CHUNK_BYTES = 1 << 20;

/** mkdir -p one level at a time: recursive mkdir reports ENOENT where the cause is EROFS or EACCES */
export function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  makeDirs(dirname(dir));
  mkdirSync(dir, { mode: 0o750 });
}
const errCode = (e: unknown) => String((e as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
const errText = (e: unknown) => String((e as Error).message ?? e).split('\n')[0]!;

/** Fails fast (before anything heavy starts) when `path` cannot be opened for appending. */
export function checkWritable(path: string, what: string): void {
  try {
    makeDirs(dirname(path));
    closeSync(openSync(path, 'a', 0o640));
  } catch (e) {
    throw new AlertLogError(errCode(e), `${what} ${path}: cannot open for writing: ${errText(e)}`, path);
  }
}

export class AlertLog {
  private fd: number | undefined;
  /** end of the last fdatasync'd line: the file never keeps bytes past it */
  private size = 0;
  /** a failed write may have left bytes past `size` that a truncate has not removed yet */
  private dirty = false;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** the first `failedPending` of `pending` were counted in alerts_write_failed */
  private failedPending = 0;
  private flushScheduled = false;
  private reopenWanted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private writeFault: AlertLogFault | undefined;
  private reopenFault: AlertLogFault | undefined;
  tornLinesRepaired = 0;

  constructor(
    readonly path: string,
    private readonly opts: AlertLogOptions,
    private readonly onWritten?: (count: number) => void,
  ) {
    try {
      makeDirs(dirname(path));
      this.adopt(this.openFile());
    } catch (e) {
      throw new AlertLogError(errCode(e), `alert log ${path}: cannot open for writing: ${errText(e)}`, path);
    }
  }

  /** What stops the log now, if anything (reported on /healthz). */
  get fault(): AlertLogFault | undefined {
    return this.writeFault ?? this.reopenFault;
  }

  /** Alerts held in memory because the disk refused them. */
  get buffered(): number {
    return this.writeFault ? this.pending.length : 0;
  }

  /** a SIGHUP's reopen has not succeeded yet */
  get reopenPending(): boolean {
    return this.reopenWanted;
  }

  get bufferedBytes(): number {
    return this.writeFault ? this.pendingBytes : 0;
  }

  private openFile(): { fd: number; size: number } {
    const fd = openSync(this.path, 'a+', 0o640);
    try {
      const r = cutTornTail(fd, fstatSync(fd).size);
      if (r.cut) this.tornLinesRepaired++;
      return { fd, size: r.size };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  private adopt(f: { fd: number; size: number }): void {
    this.fd = f.fd;
    this.size = f.size;
    this.dirty = false;
  }

  /** Queues a document; it is written and synced with the next batch (same tick). */
  append(doc: unknown): void {
    const line = `${JSON.stringify(doc)}\n`;
    const f = this.opts.faults;
    if (f && this.writeFault) {
      // the retry timer writes these, in order; past the bound the newest are dropped
      f.counters.inc('alerts_write_failed');
      const bytes = Buffer.byteLength(line);
      if (this.pending.length >= f.maxBufferedAlerts || this.pendingBytes + bytes > f.maxBufferedBytes) {
        f.counters.inc('alerts_dropped', { reason: 'buffer_full' });
        return;
      }
      this.push(line, bytes);
      this.failedPending++;
      return;
    }
    this.push(line, Buffer.byteLength(line));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private push(line: string, bytes: number): void {
    this.pending.push(line);
    this.pendingBytes += bytes;
  }

  /** Writes and fdatasyncs everything queued; then (and only then) it counts as written. */
  flush(): void {
    this.flushScheduled = false;
    if (this.opts.faults) {
      this.tryFlush();
      return;
    }
    try {
      this.writePending();
    } catch (e) {
      // strict mode: the caller owns the retry and appends again
      this.pending = [];
      this.pendingBytes = 0;
      throw e;
    }
  }

  /** Writes whole lines in chunks; a chunk that fails leaves the file at its last synced line. */
  private writePending(): void {
    while (this.pending.length) {
      let n = 0;
      let chars = 0;
      while (n < this.pending.length && (n === 0 || chars + this.pending[n]!.length <= CHUNK_BYTES)) chars += this.pending[n++]!.length;
      const buf = Buffer.from(this.pending.slice(0, n).join(''));
      this.writeChunk(buf);
      this.pending.splice(0, n);
      this.pendingBytes = Math.max(0, this.pendingBytes - buf.length);
      const recovered = Math.min(n, this.failedPending);
      if (recovered) {
        this.failedPending -= recovered;
        this.opts.faults?.counters.inc('alerts_write_recovered', recovered);
      }
      this.onWritten?.(n);
    }
  }

  private writeChunk(buf: Buffer): void {
    if (this.fd === undefined) this.adopt(this.openFile());
    if (this.dirty) {
      ftruncateSync(this.fd!, this.size);
      this.dirty = false;
    }
    if (this.size > 0 && this.size + buf.length > this.opts.maxBytes) this.rotate();
    const fd = this.fd!;
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fdatasyncSync(fd);
    } catch (e) {
      // never leave a torn line: cut back to the last synced one (now, or before the next write)
      this.dirty = true;
      try {
        ftruncateSync(fd, this.size);
        this.dirty = false;
      } catch {
        /* retried before the next write */
      }
      throw e;
    }
    this.size += buf.length;
  }

  private tryFlush(): void {
    try {
      this.writePending();
      if (this.reopenWanted) this.tryReopen();
      this.setFault('write', undefined);
    } catch (e) {
      this.failed('write', e);
      // the old file refuses: the new path may not, and the next retry writes there
      if (this.reopenWanted) this.tryReopen();
    }
  }

  private failed(op: AlertLogFault['op'], e: unknown): void {
    const f = this.opts.faults!;
    const code = errCode(e);
    f.counters.inc('alert_log_errors', { op, code });
    if (op === 'write') {
      f.counters.inc('alerts_write_failed', this.pending.length - this.failedPending);
      this.failedPending = this.pending.length;
    }
    this.setFault(op, { op, code, message: errText(e), since: Date.now() });
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.tryFlush();
    }, f.retryMs).unref();
  }

  private setFault(op: AlertLogFault['op'], next: AlertLogFault | undefined): void {
    const cur = op === 'write' ? this.writeFault : this.reopenFault;
    if (next && cur && cur.code === next.code) return; // same fault still going on
    if (!next && !cur) return;
    if (op === 'write') this.writeFault = next;
    else this.reopenFault = next;
    this.opts.faults?.onState(op, next);
  }

  private rotate(): void {
    for (const f of logFiles(this.path)) renameSync(f.path, `${this.path}.${f.index + 1}`);
    // the old fd is given up first: if the new file cannot be opened, the next write opens it
    const old = this.fd!;
    this.fd = undefined;
    try {
      closeSync(old);
    } catch {
      /* closed either way */
    }
    this.adopt(this.openFile());
    this.prune();
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
    if (!this.opts.faults) {
      this.flush();
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
      this.adopt(this.openFile());
      return;
    }
    this.reopenWanted = true;
    this.tryFlush();
  }

  private tryReopen(): void {
    let next: { fd: number; size: number };
    try {
      next = this.openFile();
    } catch (e) {
      this.failed('reopen', e);
      return;
    }
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* closed either way */
      }
    }
    this.adopt(next);
    this.reopenWanted = false;
    this.setFault('reopen', undefined);
  }

  /** Flushes and closes. With a FaultPolicy it never throws and returns the alerts it could not write. */
  close(): number {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    let lost = 0;
    if (this.opts.faults) {
      try {
        this.writePending();
      } catch (e) {
        lost = this.pending.length;
        this.opts.faults.counters.inc('alert_log_errors', { op: 'write', code: errCode(e) });
        this.opts.faults.counters.inc('alerts_write_failed', lost - this.failedPending);
        this.failedPending = 0;
        this.opts.faults.counters.inc('alerts_dropped', { reason: 'shutdown' }, lost);
        this.pending = [];
        this.pendingBytes = 0;
      }
    } else {
      this.flush();
    }
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* closed either way */
      }
      this.fd = undefined;
    }
    return lost;
  }
}
