// printf payload of nightjar.bt (see probes/README.md) -> typed probe record, or undefined.
// Pure; never throws. Untrusted strings are the last field and may contain spaces.

import { bytesToUtf8 } from './bpftrace-json.js';

/** The exec filename is read with str(): BPFTRACE_STRLEN (160, bpftrace-runner.ts) less its NUL. */
const FILENAME_MAX_BYTES = 159;

export type ProbeRecord =
  | { kind: 'ready'; version: number; ts: number }
  | { kind: 'argv'; pid: number; ts: number; index: number; hex: string }
  | { kind: 'filename'; pid: number; ts: number; path: string; truncated: boolean }
  | { kind: 'cgroup'; cgroupId: string; level: number; name: string }
  | ExecHeader
  | ForkRecord
  | ExitRecord
  | NetRecord;

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
  /** set by the exec assembler from the S record; undefined when it was lost */
  session?: ExecSession;
  /** set by the exec assembler from the cwd records; undefined when lost or too deep */
  cwd?: string;
  /** set by the exec assembler: NAME=value entries kept by the env allow-list */
  env?: string[];
}

/** The S record of an exec. */
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
  /** cwd components that precede this record; -1: the walk did not reach the root; undefined:
   * an older probe, whose A record 127 marks the root */
  cwdDepth?: number;
}

/** argv-record index that carries an S record to the exec assembler (see parseRecord). */
export const SESSION_INDEX = 126;
/** argv-record index that carries a P record (session and filename) to the exec assembler. */
export const PATH_SESSION_INDEX = 125;

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

const NET_OPS: Record<string, NetOp> = { '1': 'connect', '2': 'accept', '3': 'listen' };
const INT = /^-?\d+$/;
const HEX = /^[0-9a-f]*$/;

/** Splits off `count` space-separated fields; the remainder (possibly with spaces) is last. */
function fields(data: string, count: number): string[] | undefined {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const sp = data.indexOf(' ', at);
    if (sp < 0) return undefined;
    out.push(data.slice(at, sp));
    at = sp + 1;
  }
  out.push(data.slice(at));
  return out;
}

function ints(parts: string[], from: number, to: number): number[] | undefined {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const p = parts[i]!;
    if (!isInt(p)) return undefined;
    out.push(Number(p));
  }
  return out;
}

/** INT.test without a regex: this runs for every field of every line. */
function isInt(s: string): boolean {
  const start = s.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  if (s.length === start) return false;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The hex text of an S record (see parseRecord) -> its fields. */
export function decodeSession(hex: string): ExecSession | undefined {
  return sessionFields(Buffer.from(hex, 'hex').toString('latin1').split(' '));
}

/** The hex text of a P record (see parseRecord) -> its session and filename. */
export function decodePathSession(hex: string): { session: ExecSession; path: string; truncated: boolean } | undefined {
  const f = fields(Buffer.from(hex, 'hex').toString('latin1'), 7);
  const session = f && sessionFields(f.slice(0, 7));
  if (!session) return undefined;
  const raw = f![7]!;
  return { session, path: bytesToUtf8(raw), truncated: raw.length >= FILENAME_MAX_BYTES };
}

function sessionFields(f: string[]): ExecSession | undefined {
  if ((f.length !== 6 && f.length !== 7) || !f.filter((_, i) => i < 4 || i === 6).every((x) => INT.test(x))) return undefined;
  const capEffective = mask(f[4]!);
  const capPermitted = mask(f[5]!);
  if (capEffective === undefined || capPermitted === undefined) return undefined;
  const s: ExecSession = { pgid: Number(f[0]), sid: Number(f[1]), ttyMajor: Number(f[2]), ttyMinor: Number(f[3]), capEffective, capPermitted };
  if (f.length === 7) s.cwdDepth = Number(f[6]);
  return s;
}

/** A u64 capability mask in decimal -> number; capabilities stop far below bit 53. */
function mask(text: string): number | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const v = BigInt(text);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** start_boottime in ns -> clock ticks (10 ms), as /proc/PID/stat field 22; exact on strings. */
export function nsToTicks(ns: string): number {
  return ns.length <= 7 ? 0 : Number(ns.slice(0, -7));
}

export function parseRecord(raw: string): ProbeRecord | undefined {
  const data = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
  switch (data.charAt(0)) {
    case 'B': {
      const p = fields(data, 2);
      const n = p && ints(p, 1, 3);
      return n ? { kind: 'ready', version: n[0]!, ts: n[1]! } : undefined;
    }
    case 'A': {
      const p = fields(data, 4);
      const n = p && ints(p, 1, 4);
      const hex = p?.[4]?.replaceAll(' ', '');
      if (!n || hex === undefined || !HEX.test(hex) || hex.length % 2) return undefined;
      return { kind: 'argv', pid: n[0]!, ts: n[1]!, index: n[2]!, hex };
    }
    case 'G': {
      const p = fields(data, 3);
      // level: steps above the cgroup, as deep as the cgroup is nested (root-side names, see the probe)
      if (!p || !/^\d+$/.test(p[1]!) || !/^\d{1,7}$/.test(p[2]!)) return undefined;
      return { kind: 'cgroup', cgroupId: p[1]!, level: Number(p[2]), name: bytesToUtf8(p[3]!) };
    }
    case 'F': {
      const p = fields(data, 3);
      const n = p && ints(p, 1, 3);
      return n ? { kind: 'filename', pid: n[0]!, ts: n[1]!, path: bytesToUtf8(p[3]!), truncated: p[3]!.length >= FILENAME_MAX_BYTES } : undefined;
    }
    case 'E': {
      const p = fields(data, 12);
      const n = p && ints(p, 1, 12);
      if (!n) return undefined;
      return {
        kind: 'exec', pid: n[0]!, ts: n[1]!, ppid: n[2]!, uid: n[3]!, euid: n[4]!, gid: n[5]!,
        egid: n[6]!, argc: n[7]!, argLen: n[8]!, startTicks: nsToTicks(p[10]!), cgroupId: p[11]!,
        exeName: bytesToUtf8(p[12]!),
      };
    }
    case 'S': {
      // S pid ts pgid sid ttymaj ttymin capeff capprm [cwd_depth]: travels as an argv-kind record
      // (index SESSION_INDEX, its checked fields as hex text) to the exec assembler, like the cwd parts
      const p = data.split(' ');
      if (p.length !== 9 && p.length !== 10) return undefined;
      const n = ints(p, 1, 7);
      if (!n || mask(p[7]!) === undefined || mask(p[8]!) === undefined || (p.length === 10 && !INT.test(p[9]!))) return undefined;
      const text = p.slice(3).join(' ');
      return { kind: 'argv', pid: n[0]!, ts: n[1]!, index: SESSION_INDEX, hex: Buffer.from(text, 'latin1').toString('hex') };
    }
    case 'P': {
      // P pid ts pgid sid ttymaj ttymin capeff capprm cwd_depth filename: S and F in one record,
      // routed like S (index PATH_SESSION_INDEX, the fields after ts as hex text)
      const p = fields(data, 10);
      const n = p && ints(p, 1, 7);
      if (!n || mask(p[7]!) === undefined || mask(p[8]!) === undefined || !INT.test(p[9]!)) return undefined;
      const text = p.slice(3).join(' ');
      return { kind: 'argv', pid: n[0]!, ts: n[1]!, index: PATH_SESSION_INDEX, hex: Buffer.from(text, 'latin1').toString('hex') };
    }
    case 'K': {
      // K pid ts ppid uid euid start cgroup pgid sid ttymaj ttymin comm
      const p = fields(data, 12);
      const n = p && ints(p, 1, 12);
      if (!n) return undefined;
      return {
        kind: 'fork', pid: n[0]!, ts: n[1]!, ppid: n[2]!, uid: n[3]!, euid: n[4]!,
        startTicks: nsToTicks(p[6]!), cgroupId: p[7]!, pgid: n[7]!, sid: n[8]!, ttyMajor: n[9]!,
        ttyMinor: n[10]!, comm: bytesToUtf8(p[12]!),
      };
    }
    case 'X': {
      const p = fields(data, 6);
      const n = p && ints(p, 1, 6);
      if (!n) return undefined;
      return {
        kind: 'exit', pid: n[0]!, ts: n[1]!, status: n[2]!, startTicks: nsToTicks(p[4]!),
        cgroupId: p[5]!, comm: bytesToUtf8(p[6]!),
      };
    }
    case 'N': {
      // N pid ts kind ret uid euid start cgroup family proto lport rport l4 r4 l6 r6
      const p = fields(data, 16);
      if (!p || p[16]!.includes(' ')) return undefined;
      const n = ints(p, 1, 13);
      const op = NET_OPS[p[3]!];
      const family = n?.[8];
      if (!n || !op || (family !== 2 && family !== 10)) return undefined;
      const v6 = family === 10;
      return {
        kind: 'net', pid: n[0]!, ts: n[1]!, op, ret: n[3]!, uid: n[4]!, euid: n[5]!,
        startTicks: nsToTicks(p[7]!), cgroupId: p[8]!, ipVersion: v6 ? 6 : 4, protocol: n[9]!,
        localPort: n[10]!, remotePort: n[11]!, localAddr: v6 ? p[15]! : p[13]!, remoteAddr: v6 ? p[16]! : p[14]!,
      };
    }
    default:
      return undefined;
  }
}
