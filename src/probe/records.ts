// printf payload of nightjar.bt (see probes/README.md) -> typed probe record, or undefined.
// Pure; never throws. Untrusted strings are the last field and may contain spaces. Fields are
// read in place by one cursor (no split, no regex): this runs for every line bpftrace prints.

import { bytesToUtf8 } from './bpftrace-json.js';

/** The exec filename is read with str(): BPFTRACE_STRLEN (160, bpftrace-runner.ts) less its NUL. */
const FILENAME_MAX_BYTES = 159;
/** The most bytes one A record carries (an argv or environment chunk, a cwd component). */
export const CHUNK_BYTES = 128;

export type ProbeRecord =
  | { kind: 'ready'; version: number; ts: number }
  | ChunkRecord
  | PathRecord
  | { kind: 'cgroup'; cgroupId: string; level: number; name: string }
  | ExecHeader
  | ForkRecord
  | ExitRecord
  | NetRecord;

/** An A record: up to CHUNK_BYTES bytes as `%rh` prints them (hex pairs, single spaces between). */
export interface ChunkRecord {
  kind: 'chunk';
  pid: number;
  ts: number;
  index: number;
  hex: string;
}

/** The P record of an exec: its session, cwd depth and filename. */
export interface PathRecord {
  kind: 'path';
  pid: number;
  ts: number;
  session: ExecSession;
  /** cwd components that precede this record; negative: the walk did not reach the root */
  cwdDepth: number;
  path: string;
  truncated: boolean;
}

export interface ExecHeader {
  kind: 'exec';
  pid: number;
  ts: number;
  ppid: number;
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  argc: number;
  argLen: number;
  startTicks: number;
  cgroupId: string;
  exeName: string;
}

export interface ExecSession {
  /** process group and session ids (global pid numbers) */
  pgid: number;
  sid: number;
  /** controlling tty device; 0 0 when none */
  ttyMajor: number;
  ttyMinor: number;
  /** capability masks (bit n = capability n) */
  capEffective: number;
  capPermitted: number;
}

export interface ForkRecord {
  kind: 'fork';
  pid: number;
  ts: number;
  ppid: number;
  uid: number;
  euid: number;
  startTicks: number;
  cgroupId: string;
  pgid: number;
  sid: number;
  ttyMajor: number;
  ttyMinor: number;
  comm: string;
}

export interface ExitRecord {
  kind: 'exit';
  pid: number;
  ts: number;
  status: number;
  startTicks: number;
  cgroupId: string;
  comm: string;
}

export type NetOp = 'connect' | 'accept' | 'listen';

export interface NetRecord {
  kind: 'net';
  pid: number;
  ts: number;
  op: NetOp;
  ret: number;
  uid: number;
  euid: number;
  startTicks: number;
  cgroupId: string;
  ipVersion: 4 | 6;
  protocol: number;
  localPort: number;
  remotePort: number;
  localAddr: string;
  remoteAddr: string;
}

const NET_OPS: readonly (NetOp | undefined)[] = [undefined, 'connect', 'accept', 'listen'];

/** Reads one record's space-separated fields left to right. A bad field clears `ok`; later
 * reads then return placeholders, and the caller checks `ok` once at the end. */
class Cursor {
  s = '';
  at = 0;
  ok = true;

  reset(s: string, from: number): void {
    this.s = s;
    this.at = from;
    this.ok = true;
  }

  /** The end of a run of decimal digits starting at `from`, or -1 when there is none. */
  private digitsEnd(from: number): number {
    const s = this.s;
    let i = from;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    return i === from ? -1 : i;
  }

  /** Steps over the field's terminator: a space, or (last) the end. */
  private next(end: number, last: boolean): void {
    if (end < 0 || (last ? end !== this.s.length : this.s.charCodeAt(end) !== 0x20)) this.ok = false;
    else this.at = end + 1;
  }

  /** A decimal integer, optionally negative, exactly as Number() reads it. */
  int(last = false): number {
    if (!this.ok) return 0;
    const s = this.s;
    const neg = s.charCodeAt(this.at) === 0x2d;
    const from = neg ? this.at + 1 : this.at;
    const end = this.digitsEnd(from);
    this.next(end, last);
    if (!this.ok) return 0;
    let v = 0;
    if (end - from <= 15) for (let i = from; i < end; i++) v = v * 10 + (s.charCodeAt(i) - 0x30);
    else v = Number(s.slice(from, end));
    return neg ? -v : v;
  }

  /** An unsigned decimal integer kept as text (u64 ids beyond 2^53). */
  digits(): string {
    if (!this.ok) return '';
    const from = this.at;
    const end = this.digitsEnd(from);
    this.next(end, false);
    return this.ok ? this.s.slice(from, end) : '';
  }

  /** start_boottime in ns -> clock ticks (10 ms), as /proc/PID/stat field 22; exact beyond 2^53 ns. */
  ticks(): number {
    const text = this.digits();
    return this.ok ? nsToTicks(text) : 0;
  }

  /** A u64 capability mask; capabilities stop far below bit 53, so a larger value is malformed. */
  mask(): number {
    if (!this.ok) return 0;
    const s = this.s;
    const from = this.at;
    const end = this.digitsEnd(from);
    this.next(end, false);
    if (!this.ok) return 0;
    let v = 0;
    // exact while the true value is below 2^53, and >= 2^53 (rejected) once it is not
    for (let i = from; i < end; i++) v = v * 10 + (s.charCodeAt(i) - 0x30);
    if (v > Number.MAX_SAFE_INTEGER) this.ok = false;
    return v;
  }

  /** A field without spaces (may be empty). */
  word(last = false): string {
    if (!this.ok) return '';
    const from = this.at;
    const sp = this.s.indexOf(' ', from);
    const end = sp < 0 ? this.s.length : sp;
    this.next(end, last);
    return this.ok ? this.s.slice(from, end) : '';
  }

  /** Everything after the fields read so far: the untrusted last field, spaces and all. */
  rest(): string {
    return this.ok ? this.s.slice(this.at) : '';
  }
}

const cur = new Cursor();

/** start_boottime in ns (decimal text) -> clock ticks (10 ms); exact on strings. */
export function nsToTicks(ns: string): number {
  return ns.length <= 7 ? 0 : Number(ns.slice(0, -7));
}

/** Bytes in hex text as `%rh` prints them (pairs, a single space between), or -1. */
function hexByteCount(s: string, from: number): number {
  let n = 0;
  let i = from;
  while (i < s.length) {
    if (n > 0 && s.charCodeAt(i) === 0x20) i++;
    if (i + 2 > s.length || nibble(s.charCodeAt(i)) < 0 || nibble(s.charCodeAt(i + 1)) < 0) return -1;
    i += 2;
    n++;
  }
  return n;
}

/** Writes hex text validated by hexByteCount into out from `at`; returns the next offset. */
export function writeHex(s: string, out: Uint8Array, at: number): number {
  let o = at;
  for (let i = 0; i < s.length && o < out.length; ) {
    if (s.charCodeAt(i) === 0x20) {
      i++;
      continue;
    }
    out[o++] = (nibble(s.charCodeAt(i)) << 4) | nibble(s.charCodeAt(i + 1));
    i += 2;
  }
  return o;
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function parseRecord(raw: string): ProbeRecord | undefined {
  const data = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  if (data.length < 2 || data.charCodeAt(1) !== 0x20) return undefined;
  const c = cur;
  c.reset(data, 2);
  switch (data.charCodeAt(0)) {
    case 0x41 /* A */: {
      const pid = c.int();
      const ts = c.int();
      const index = c.int();
      if (!c.ok) return undefined;
      const n = hexByteCount(data, c.at);
      if (n < 0 || n > CHUNK_BYTES) return undefined;
      return { kind: 'chunk', pid, ts, index, hex: c.rest() };
    }
    case 0x50 /* P */: {
      // P pid ts pgid sid ttymaj ttymin capeff capprm cwd_depth filename
      const pid = c.int();
      const ts = c.int();
      const session: ExecSession = { pgid: c.int(), sid: c.int(), ttyMajor: c.int(), ttyMinor: c.int(), capEffective: c.mask(), capPermitted: c.mask() };
      const cwdDepth = c.int();
      const raw = c.rest();
      if (!c.ok) return undefined;
      return { kind: 'path', pid, ts, session, cwdDepth, path: bytesToUtf8(raw), truncated: raw.length >= FILENAME_MAX_BYTES };
    }
    case 0x45 /* E */: {
      const r: ExecHeader = {
        kind: 'exec', pid: c.int(), ts: c.int(), ppid: c.int(), uid: c.int(), euid: c.int(), gid: c.int(),
        egid: c.int(), argc: c.int(), argLen: c.int(), startTicks: c.ticks(), cgroupId: c.digits(), exeName: '',
      };
      r.exeName = bytesToUtf8(c.rest());
      return c.ok ? r : undefined;
    }
    case 0x4b /* K */: {
      // K pid ts ppid uid euid start cgroup pgid sid ttymaj ttymin comm
      const r: ForkRecord = {
        kind: 'fork', pid: c.int(), ts: c.int(), ppid: c.int(), uid: c.int(), euid: c.int(), startTicks: c.ticks(),
        cgroupId: c.digits(), pgid: c.int(), sid: c.int(), ttyMajor: c.int(), ttyMinor: c.int(), comm: '',
      };
      r.comm = bytesToUtf8(c.rest());
      return c.ok ? r : undefined;
    }
    case 0x58 /* X */: {
      const r: ExitRecord = { kind: 'exit', pid: c.int(), ts: c.int(), status: c.int(), startTicks: c.ticks(), cgroupId: c.digits(), comm: '' };
      r.comm = bytesToUtf8(c.rest());
      return c.ok ? r : undefined;
    }
    case 0x4e /* N */: {
      // N pid ts kind ret uid euid start cgroup family proto lport rport l4 r4 l6 r6
      const pid = c.int();
      const ts = c.int();
      const op = NET_OPS[c.int()];
      const ret = c.int();
      const uid = c.int();
      const euid = c.int();
      const startTicks = c.ticks();
      const cgroupId = c.digits();
      const family = c.int();
      const protocol = c.int();
      const localPort = c.int();
      const remotePort = c.int();
      const l4 = c.word();
      const r4 = c.word();
      const l6 = c.word();
      const r6 = c.word(true);
      if (!c.ok || !op || (family !== 2 && family !== 10)) return undefined;
      const v6 = family === 10;
      return {
        kind: 'net', pid, ts, op, ret, uid, euid, startTicks, cgroupId, ipVersion: v6 ? 6 : 4, protocol,
        localPort, remotePort, localAddr: v6 ? l6 : l4, remoteAddr: v6 ? r6 : r4,
      };
    }
    case 0x47 /* G */: {
      // level: steps above the cgroup, as deep as the cgroup is nested (root-side names, see the probe)
      const cgroupId = c.digits();
      const from = c.at;
      const level = c.int();
      if (!c.ok || data.charCodeAt(from) === 0x2d || c.at - from > 8) return undefined;
      return { kind: 'cgroup', cgroupId, level, name: bytesToUtf8(c.rest()) };
    }
    case 0x42 /* B */: {
      const version = c.int();
      const ts = c.int(true);
      return c.ok ? { kind: 'ready', version, ts } : undefined;
    }
    default:
      return undefined;
  }
}
