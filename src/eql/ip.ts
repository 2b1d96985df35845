// IPv4/IPv6 parsing and CIDR containment for cidrMatch and ip-typed comparisons.

import { isIP } from 'node:net';

function toBytes(ip: string): number[] | undefined {
  const kind = isIP(ip);
  if (kind === 4) return ip.split('.').map(Number);
  if (kind !== 6) return undefined;
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  let tail: number[] = [];
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    s = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest ? rest.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - r.length).fill('0'), ...r].map((g) => Number.parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split('/') as [string, string | undefined];
  let a = toBytes(ip);
  let b = toBytes(net);
  if (!a || !b) return false;
  // IPv4 against an IPv4-mapped network and the other way round
  if (a.length !== b.length) {
    const mapped = (x: number[]) => x.length === 16 && x.slice(0, 10).every((v) => v === 0) && x[10] === 255 && x[11] === 255;
    if (a.length === 16 && mapped(a)) a = a.slice(12);
    else if (b.length === 16 && mapped(b)) b = b.slice(12);
    else return false;
    if (a.length !== b.length) return false;
  }
  const bits = bitsText === undefined ? a.length * 8 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > a.length * 8) return false;
  for (let i = 0; i < a.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}
