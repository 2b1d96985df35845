// argv chunk + filename + exec header records -> one ExecEvent. Chunks and filename precede
// their header (one CPU, one probe hit); a header with chunks missing yields a truncated event.

import type { ExecHeader } from './records.js';
import type { ExecEvent } from './sensor-events.js';

export const ARGV_CHUNK_BYTES = 128;
export const ARGV_MAX_CHUNKS = 32;

interface Partial {
  chunks: (string | undefined)[];
  filename: string | undefined;
  createdMs: number;
}

export interface AssemblerStats {
  /** execs completed with a chunk or the filename missing (lost records) */
  incompleteExecs: number;
}

export class ExecAssembler {
  private readonly partials = new Map<string, Partial>();
  /** partials evicted at the bound since the last expire(), reported there */
  private evicted = 0;
  readonly stats: AssemblerStats = { incompleteExecs: 0 };

  constructor(private readonly maxPartials = 4096) {}

  private partial(pid: number, ts: number, nowMs: number): Partial {
    const key = `${pid}:${ts}`;
    let p = this.partials.get(key);
    if (!p) {
      if (this.partials.size >= this.maxPartials) this.evictOldest();
      p = { chunks: [], filename: undefined, createdMs: nowMs };
      this.partials.set(key, p);
    }
    return p;
  }

  addChunk(pid: number, ts: number, index: number, hex: string, nowMs: number): void {
    if (index < 0 || index >= ARGV_MAX_CHUNKS) return;
    this.partial(pid, ts, nowMs).chunks[index] = hex;
  }

  addFilename(pid: number, ts: number, path: string, nowMs: number): void {
    this.partial(pid, ts, nowMs).filename = path;
  }

  complete(h: ExecHeader): ExecEvent {
    const key = `${h.pid}:${h.ts}`;
    const p = this.partials.get(key);
    this.partials.delete(key);
    const captured = Math.min(h.argLen, ARGV_MAX_CHUNKS * ARGV_CHUNK_BYTES);
    const wanted = Math.ceil(captured / ARGV_CHUNK_BYTES);
    const bytes = Buffer.allocUnsafe(wanted * ARGV_CHUNK_BYTES);
    let len = 0;
    let lost = false;
    for (let i = 0; i < wanted; i++) {
      const c = p?.chunks[i];
      if (c === undefined) {
        lost = true;
        break;
      }
      len += bytes.write(c, len, 'hex');
    }
    if (lost || p?.filename === undefined) this.stats.incompleteExecs++;
    const { args, complete } = splitArgv(bytes.subarray(0, len), h.argc);
    return {
      kind: 'exec', pid: h.pid, ts: h.ts, ppid: h.ppid, uid: h.uid, euid: h.euid, gid: h.gid, egid: h.egid, argc: h.argc,
      startTicks: h.startTicks, cgroupId: h.cgroupId, exeName: h.exeName,
      filename: p?.filename, args, argsTruncated: lost || h.argLen > captured || !complete,
    };
  }

  /** Drops partials whose header never came (lost records, or evicted); returns how many. */
  expire(nowMs: number, maxAgeMs: number): number {
    let n = 0;
    for (const [key, p] of this.partials) {
      if (nowMs - p.createdMs < maxAgeMs) break;
      this.partials.delete(key);
      n++;
    }
    n += this.evicted;
    this.evicted = 0;
    return n;
  }

  private evictOldest(): void {
    const first = this.partials.keys().next();
    if (!first.done) {
      this.partials.delete(first.value);
      this.evicted++;
    }
  }
}

/** NUL-separated argv area -> args (UTF-8, invalid bytes as U+FFFD); complete = all argc found. */
export function splitArgv(bytes: Buffer, argc: number): { args: string[]; complete: boolean } {
  const args: string[] = [];
  let start = 0;
  while (args.length < argc && start < bytes.length) {
    const nul = bytes.indexOf(0, start);
    if (nul < 0) {
      args.push(bytes.toString('utf8', start));
      return { args, complete: false };
    }
    args.push(bytes.toString('utf8', start, nul));
    start = nul + 1;
  }
  return { args, complete: args.length === argc };
}
