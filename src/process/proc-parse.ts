// Pure parsers for /proc/PID files. Never throw; undefined on malformed input.

interface ProcStat {
  comm: string;
  ppid: number;
  startTicks: number;
  pgid: number;
  sid: number;
  ttyMajor: number;
  ttyMinor: number;
}

/** /proc/PID/stat: comm may contain spaces and ')', so fields are counted after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  const [pgid, sid, ttyNr] = [Number(rest[2]), Number(rest[3]), Number(rest[4])];
  if (![ppid, startTicks, pgid, sid, ttyNr].every(Number.isInteger)) return undefined;
  // tty_nr: major in bits 8-19, minor in bits 0-7 and 20-31 (new_encode_dev)
  const ttyMajor = (ttyNr >> 8) & 0xfff;
  const ttyMinor = (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00);
  return { comm: text.slice(open + 1, close), ppid, startTicks, pgid, sid, ttyMajor, ttyMinor };
}

interface ProcIds {
  uid: number;
  euid: number;
  gid: number;
  egid: number;
}

export function parseProcStatusIds(text: string): ProcIds | undefined {
  const uid = /^Uid:\s+(\d+)\s+(\d+)/m.exec(text);
  const gid = /^Gid:\s+(\d+)\s+(\d+)/m.exec(text);
  if (!uid || !gid) return undefined;
  return { uid: Number(uid[1]), euid: Number(uid[2]), gid: Number(gid[1]), egid: Number(gid[2]) };
}

/** CapEff / CapPrm lines of /proc/PID/status (hex masks); undefined when absent. */
export function parseProcStatusCaps(text: string): { capEffective: number; capPermitted: number } | undefined {
  const eff = /^CapEff:\s+([0-9a-f]{1,16})$/m.exec(text);
  const prm = /^CapPrm:\s+([0-9a-f]{1,16})$/m.exec(text);
  if (!eff || !prm) return undefined;
  return { capEffective: Number(BigInt(`0x${eff[1]}`)), capPermitted: Number(BigInt(`0x${prm[1]}`)) };
}

/** /proc/PID/cmdline -> argv; a trailing NUL ends the last argument. */
export function parseCmdline(bytes: Buffer): string[] {
  if (bytes.length === 0) return [];
  const end = bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end).split('\0');
}

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}
