// argv chunk + filename + exec header records -> one ExecEvent. Chunks and filename precede
// their header (one CPU, one probe hit); a header with chunks missing yields a truncated event.
// A record indexes: 0..31 argv chunks, 32..63 environment chunks, 64..79 cwd components (64 =
// the cwd's own name), 125 the P record (S and F in one), 126 the S record (session, tty,
// capabilities, cwd depth), 127 the cwd walk reached the root (probes before the S record
// carried the depth).

import type { Counters } from '../util/counters.js';
import { decodePathSession, decodeSession, type ExecHeader, type ExecSession, PATH_SESSION_INDEX, SESSION_INDEX } from './records.js';
import type { ExecEvent } from './sensor-events.js';

export const ARGV_CHUNK_BYTES = 128;
export const ARGV_MAX_CHUNKS = 32;
const ENV_FIRST = 32;
const ENV_MAX_CHUNKS = 32;
const CWD_FIRST = 64;
const CWD_MAX_PARTS = 16;
const CWD_ROOT = 127;

interface Partial {
  chunks: (string | undefined)[];
  env: (string | undefined)[] | undefined;
  cwd: (string | undefined)[] | undefined;
  cwdRoot: boolean;
  session: ExecSession | undefined;
  filename: string | undefined;
  filenameTruncated?: boolean;
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

  /** counters: exec_incomplete moves with stats.incompleteExecs */
  constructor(
    private readonly maxPartials = 4096,
    private readonly counters?: Counters,
  ) {}

  private partial(pid: number, ts: number, nowMs: number): Partial {
    const key = `${pid}:${ts}`;
    let p = this.partials.get(key);
    if (!p) {
      if (this.partials.size >= this.maxPartials) this.evictOldest();
      p = { chunks: [], env: undefined, cwd: undefined, cwdRoot: false, session: undefined, filename: undefined, createdMs: nowMs };
      this.partials.set(key, p);
    }
    return p;
  }

  addChunk(pid: number, ts: number, index: number, hex: string, nowMs: number): void {
    if (index >= 0 && index < ARGV_MAX_CHUNKS) this.partial(pid, ts, nowMs).chunks[index] = hex;
    else if (index >= ENV_FIRST && index < ENV_FIRST + ENV_MAX_CHUNKS) (this.partial(pid, ts, nowMs).env ??= [])[index - ENV_FIRST] = hex;
    else if (index >= CWD_FIRST && index < CWD_FIRST + CWD_MAX_PARTS) (this.partial(pid, ts, nowMs).cwd ??= [])[index - CWD_FIRST] = hex;
    else if (index === CWD_ROOT) this.partial(pid, ts, nowMs).cwdRoot = true;
    else if (index === SESSION_INDEX) this.partial(pid, ts, nowMs).session = decodeSession(hex);
    else if (index === PATH_SESSION_INDEX) {
      const ps = decodePathSession(hex);
      const p = this.partial(pid, ts, nowMs);
      p.session = ps?.session;
      if (ps) {
        p.filename = ps.path;
        p.filenameTruncated = ps.truncated;
      }
    }
  }

  /** NAME=value entries whose NAME is allowed; none read unless the list is non-empty. */
  envAllow: ReadonlySet<string> = new Set();

  addFilename(pid: number, ts: number, path: string, nowMs: number, truncated = false): void {
    const p = this.partial(pid, ts, nowMs);
    p.filename = path;
    p.filenameTruncated = truncated;
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
    if (lost || p?.filename === undefined) {
      this.stats.incompleteExecs++;
      this.counters?.inc('exec_incomplete');
    }
    const { args, complete } = splitArgv(bytes.subarray(0, len), h.argc);
    const ev: ExecEvent = {
      kind: 'exec', pid: h.pid, ts: h.ts, ppid: h.ppid, uid: h.uid, euid: h.euid, gid: h.gid, egid: h.egid, argc: h.argc,
      startTicks: h.startTicks, cgroupId: h.cgroupId, exeName: h.exeName,
      filename: p?.filename, args, argsTruncated: lost || h.argLen > captured || !complete,
    };
    const depth = p?.session?.cwdDepth;
    const cwd = p && (depth === undefined ? joinCwd(p.cwd, p.cwdRoot) : depth >= 0 ? joinCwd(p.cwd, true, depth) : undefined);
    if (cwd !== undefined) ev.cwd = cwd;
    if (p?.session) {
      const { cwdDepth: _, ...session } = p.session;
      ev.session = session;
    }
    if (p?.filenameTruncated) ev.executableTruncated = true;
    if (p?.env && this.envAllow.size) ev.env = pickEnv(p.env, this.envAllow);
    return ev;
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

/** Components (leaf first) -> absolute path; undefined unless the walk reached the root whole
 * (and, when the probe counted them, exactly `depth` components arrived). */
export function joinCwd(parts: (string | undefined)[] | undefined, root: boolean, depth?: number): string | undefined {
  if (!root || (depth !== undefined && (parts?.length ?? 0) !== depth)) return undefined;
  if (!parts || parts.length === 0) return '/';
  const names: string[] = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    const hex = parts[i];
    if (hex === undefined) return undefined;
    names.push(Buffer.from(hex, 'hex').toString('utf8'));
  }
  return `/${names.join('/')}`;
}

/** Environment chunks (NUL-separated NAME=value) -> the allowed entries, in order; stops at a gap. */
export function pickEnv(chunks: (string | undefined)[], allow: ReadonlySet<string>): string[] {
  const hex: string[] = [];
  for (const c of chunks) {
    if (c === undefined) break;
    hex.push(c);
  }
  const out: string[] = [];
  for (const entry of Buffer.from(hex.join(''), 'hex').toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && allow.has(entry.slice(0, eq))) out.push(entry);
  }
  return out;
}
