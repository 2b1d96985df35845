// A chunks + P record + exec header -> one ExecEvent. Chunks and P precede their header (one
// CPU, one probe hit); a header with chunks missing yields a truncated event. A record indexes:
// 0..31 argv chunks, 32..63 environment chunks, 64..79 cwd components (64 = the cwd's own name).

import type { Counters } from '../util/counters.js';
import { CHUNK_BYTES, type ExecHeader, type PathRecord, writeHex } from './records.js';
import type { ExecEvent } from './sensor-events.js';

export const ARGV_MAX_CHUNKS = 32;
const ENV_FIRST = 32;
const ENV_MAX_CHUNKS = 32;
const CWD_FIRST = 64;
const CWD_MAX_PARTS = 16;

interface Partial {
  /** `${pid}:${ts}`: the map key */
  key: string;
  pid: number;
  ts: number;
  chunks: (string | undefined)[];
  env: (string | undefined)[] | undefined;
  cwd: (string | undefined)[] | undefined;
  path: PathRecord | undefined;
  createdMs: number;
}

/** Decoding space for one exec's bytes (argv area, cwd or environment), turned into strings at once. */
const scratch = Buffer.alloc(Math.max(ARGV_MAX_CHUNKS, ENV_MAX_CHUNKS, CWD_MAX_PARTS * 2) * CHUNK_BYTES);

export class ExecAssembler {
  private readonly partials = new Map<string, Partial>();
  /** the partial the last record went to: an exec's records arrive together */
  private last: Partial | undefined;
  /** partials evicted at the bound since the last expire(), reported there */
  private evicted = 0;
  /** NAME=value entries whose NAME is allowed; none read unless the list is non-empty. */
  envAllow: ReadonlySet<string> = new Set();

  /** counters: exec_incomplete */
  constructor(
    private readonly counters: Counters,
    private readonly maxPartials = 4096,
  ) {}

  private partial(pid: number, ts: number, nowMs: number): Partial {
    const last = this.last;
    if (last && last.pid === pid && last.ts === ts) return last;
    const key = `${pid}:${ts}`;
    let p = this.partials.get(key);
    if (!p) {
      if (this.partials.size >= this.maxPartials) this.evictOldest();
      p = { key, pid, ts, chunks: [], env: undefined, cwd: undefined, path: undefined, createdMs: nowMs };
      this.partials.set(key, p);
    }
    this.last = p;
    return p;
  }

  addChunk(pid: number, ts: number, index: number, hex: string, nowMs: number): void {
    if (index >= 0 && index < ARGV_MAX_CHUNKS) this.partial(pid, ts, nowMs).chunks[index] = hex;
    else if (index >= ENV_FIRST && index < ENV_FIRST + ENV_MAX_CHUNKS) (this.partial(pid, ts, nowMs).env ??= [])[index - ENV_FIRST] = hex;
    else if (index >= CWD_FIRST && index < CWD_FIRST + CWD_MAX_PARTS) (this.partial(pid, ts, nowMs).cwd ??= [])[index - CWD_FIRST] = hex;
  }

  addPath(r: PathRecord, nowMs: number): void {
    this.partial(r.pid, r.ts, nowMs).path = r;
  }

  complete(h: ExecHeader): ExecEvent {
    const last = this.last;
    const p = last && last.pid === h.pid && last.ts === h.ts ? last : this.partials.get(`${h.pid}:${h.ts}`);
    if (p) {
      this.partials.delete(p.key);
      if (p === last) this.last = undefined;
    }
    const captured = Math.min(h.argLen, ARGV_MAX_CHUNKS * CHUNK_BYTES);
    const wanted = Math.ceil(captured / CHUNK_BYTES);
    let len = 0;
    let lost = false;
    for (let i = 0; i < wanted; i++) {
      const c = p?.chunks[i];
      if (c === undefined) {
        lost = true;
        break;
      }
      len = writeHex(c, scratch, len);
    }
    const path = p?.path;
    if (lost || !path) this.counters.inc('exec_incomplete');
    const { args, complete } = splitArgv(scratch.subarray(0, len), h.argc);
    const ev: ExecEvent = {
      kind: 'exec', pid: h.pid, ts: h.ts, ppid: h.ppid, uid: h.uid, euid: h.euid, gid: h.gid, egid: h.egid, argc: h.argc,
      startTicks: h.startTicks, cgroupId: h.cgroupId, exeName: h.exeName,
      filename: path?.path, args, argsTruncated: lost || h.argLen > captured || !complete,
    };
    if (path) {
      ev.session = path.session;
      const cwd = joinCwd(p.cwd, path.cwdDepth);
      if (cwd !== undefined) ev.cwd = cwd;
      if (path.truncated) ev.executableTruncated = true;
    }
    if (p?.env && this.envAllow.size) ev.env = pickEnv(p.env, this.envAllow);
    return ev;
  }

  /** Drops partials whose header never came (lost records, or evicted); returns how many. */
  expire(nowMs: number, maxAgeMs: number): number {
    let n = 0;
    for (const [key, p] of this.partials) {
      if (nowMs - p.createdMs < maxAgeMs) break;
      this.partials.delete(key);
      if (p === this.last) this.last = undefined;
      n++;
    }
    n += this.evicted;
    this.evicted = 0;
    return n;
  }

  private evictOldest(): void {
    const first = this.partials.entries().next();
    if (!first.done) {
      this.partials.delete(first.value[0]);
      if (first.value[1] === this.last) this.last = undefined;
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

/** Components (leaf first) -> absolute path; undefined unless exactly `depth` components arrived
 * (a negative depth: the probe's walk did not reach the root). */
export function joinCwd(parts: (string | undefined)[] | undefined, depth: number): string | undefined {
  if (depth < 0 || (parts?.length ?? 0) !== depth) return undefined;
  if (!parts || depth === 0) return '/';
  let len = 0;
  for (let i = depth - 1; i >= 0; i--) {
    const hex = parts[i];
    if (hex === undefined) return undefined;
    scratch[len++] = 0x2f;
    len = writeHex(hex, scratch, len);
  }
  return scratch.toString('utf8', 0, len);
}

/** Environment chunks (NUL-separated NAME=value) -> the allowed entries, in order; stops at a gap. */
export function pickEnv(chunks: (string | undefined)[], allow: ReadonlySet<string>): string[] {
  let len = 0;
  for (const c of chunks) {
    if (c === undefined) break;
    len = writeHex(c, scratch, len);
  }
  const out: string[] = [];
  for (const entry of scratch.toString('utf8', 0, len).split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && allow.has(entry.slice(0, eq))) out.push(entry);
  }
  return out;
}
