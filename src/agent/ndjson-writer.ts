// Appends documents as NDJSON to a file without blocking the pipeline; bounded: beyond
// maxBufferedBytes documents are dropped (events_file_dropped). A write error (full or failing
// disk) never throws: documents are lost (events_file_write_failed) until a reopen every retryMs
// succeeds; the reopen cuts a torn last line, so the file stays whole lines.

import { closeSync, createWriteStream, fstatSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirs } from '../alerts/alert-log.js';
import { cutTornTail } from '../alerts/torn-tail.js';
import { CodedError } from '../util/coded-error.js';
import { Counters } from '../util/counters.js';

interface SinkFault {
  code: string;
  message: string;
  since: number;
}

/** The events file cannot be opened for writing at start. */
export class NdjsonWriterError extends CodedError {
  constructor(message: string, location?: string) {
    super('PATH_UNWRITABLE', message, location);
  }
}

export class NdjsonWriter {
  private stream: WriteStream | undefined;
  private batch = '';
  private batchCount = 0;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  fault: SinkFault | undefined;

  constructor(
    readonly path: string,
    private readonly maxBufferedBytes = 64 << 20,
    /** each error (with its code), and (undefined) the recovery */
    private readonly onFault: (fault: SinkFault | undefined, code?: string) => void = () => undefined,
    private readonly retryMs = 1000,
    /** the agent's registry; by default one of its own (read through dropped and failed) */
    private readonly counters = new Counters(),
  ) {
    try {
      makeDirs(dirname(path));
      this.open();
    } catch (e) {
      throw new NdjsonWriterError(`events file ${path}: cannot open for writing: ${String((e as Error).message).split('\n')[0]}`, path);
    }
  }

  // Totals, never reset: the writer counts into the registry it was given, so a caller moves
  // nothing into the counters (pass the agent's registry as the constructor's last argument).

  /** documents dropped over maxBufferedBytes, so far */
  get dropped(): number {
    return this.counters.get('events_file_dropped');
  }

  /** documents lost to write errors, so far */
  get failed(): number {
    return this.counters.get('events_file_write_failed');
  }

  private open(): void {
    const fd = openSync(this.path, 'a+', 0o640);
    try {
      cutTornTail(fd, fstatSync(fd).size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    const stream = createWriteStream('', { fd, flags: 'a' });
    stream.on('error', (e) => this.failWith(e, stream));
    this.stream = stream;
  }

  private failWith(e: unknown, stream: WriteStream): void {
    if (stream !== this.stream) return;
    stream.destroy();
    this.stream = undefined;
    const code = String((e as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
    this.fault ??= { code, message: String((e as Error).message).split('\n')[0]!, since: Date.now() };
    this.onFault(this.fault, code);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      try {
        this.open();
        this.fault = undefined;
        this.onFault(undefined);
      } catch (e) {
        this.onFault(this.fault, String((e as NodeJS.ErrnoException).code ?? 'EUNKNOWN'));
        this.scheduleRetry();
      }
    }, this.retryMs).unref();
  }

  write(doc: unknown): void {
    const stream = this.stream;
    if (!stream) {
      this.counters.inc('events_file_write_failed');
      return;
    }
    if (stream.writableLength + this.batch.length > this.maxBufferedBytes) {
      this.counters.inc('events_file_dropped');
      return;
    }
    this.batch += `${JSON.stringify(doc)}\n`;
    this.batchCount++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writeBatch());
    }
  }

  private writeBatch(): void {
    this.scheduled = false;
    const text = this.batch;
    const n = this.batchCount;
    this.batch = '';
    this.batchCount = 0;
    if (!n) return;
    if (!this.stream) {
      this.counters.inc('events_file_write_failed', n);
      return;
    }
    this.stream.write(text, (err) => {
      if (err) this.counters.inc('events_file_write_failed', n);
    });
  }

  close(): Promise<void> {
    this.writeBatch();
    this.closed = true;
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
  }
}
