// Pure decoding: bpftrace JSON repair, record parsing, argv splitting, exec reassembly, reordering.

import { describe, expect, it } from 'vitest';
import { bytesToUtf8, parseBpftraceLine, repairBpftraceJson } from '../../src/probe/bpftrace-json.js';
import { ExecAssembler, splitArgv } from '../../src/probe/exec-assembler.js';
import { nsToTicks, parseRecord } from '../../src/probe/records.js';
import { ReorderBuffer } from '../../src/probe/reorder-buffer.js';
import { Counters } from '../../src/util/counters.js';
import { parseCmdline, parseProcStat, parseProcStatusCaps, parseProcStatusIds } from '../../src/process/proc-parse.js';

const hex = (s: string) => [...Buffer.from(s, 'latin1')].map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('bpftrace JSON', () => {
  it('repairs the per-byte \\uffffffXX escaping of bytes >= 0x80', () => {
    const line = '{"type": "printf", "data": "F 1 2 /tmp/caf\\uffffffc3\\uffffffa9\\n"}';
    const msg = parseBpftraceLine(line);
    expect(msg?.type).toBe('printf');
    expect(bytesToUtf8(msg!.data as string)).toBe('F 1 2 /tmp/café\n');
  });

  it('leaves an escaped backslash followed by literal text alone', () => {
    const line = '{"type": "printf", "data": "F 1 2 a\\\\uffffffc3"}';
    expect(repairBpftraceJson(line)).toBe(line);
    expect(parseBpftraceLine(line)?.data).toBe('F 1 2 a\\uffffffc3');
  });

  it('returns undefined for garbage, never throws', () => {
    for (const bad of ['', 'x', '{', '{"type": 1}', 'null', '{"data": "x"}', '\u0000\u0001']) {
      expect(parseBpftraceLine(bad)).toBeUndefined();
    }
  });
});

describe('records', () => {
  it('parses each record kind', () => {
    expect(parseRecord('B 1 123\n')).toEqual({ kind: 'ready', version: 1, ts: 123 });
    expect(parseRecord(`A 10 99 0 ${hex('ab\0c\0')}\n`)).toEqual({ kind: 'chunk', pid: 10, ts: 99, index: 0, hex: '61 62 00 63 00' });
    expect(parseRecord('A 10 99 64 6162\n')).toMatchObject({ kind: 'chunk', index: 64, hex: '6162' });
    expect(parseRecord('A 10 99 64 \n')).toMatchObject({ kind: 'chunk', index: 64, hex: '' });
    expect(parseRecord('P 10 99 7 5 136 3 2199023255551 1024 2 /usr/bin/with space\n')).toEqual({
      kind: 'path', pid: 10, ts: 99, session: { pgid: 7, sid: 5, ttyMajor: 136, ttyMinor: 3, capEffective: 2199023255551, capPermitted: 1024 },
      cwdDepth: 2, path: '/usr/bin/with space', truncated: false,
    });
    // bpftrace hands bytes >= 0x80 over as latin1 code units (bpftrace-json.ts)
    expect(parseRecord('P 1 2 1 1 0 0 0 0 0 /tmp/my dir/caf\u00c3\u00a9')).toMatchObject({ path: '/tmp/my dir/café' });
    expect(parseRecord('E 10 99 1 0 1000 0 1000 3 12 4567890123456 42 nc.openbsd\n')).toEqual({
      kind: 'exec', pid: 10, ts: 99, ppid: 1, uid: 0, euid: 1000, gid: 0, egid: 1000, argc: 3, argLen: 12, startTicks: 456789, cgroupId: '42', exeName: 'nc.openbsd',
    });
    expect(parseRecord('K 11 100 10 0 0 4567890123456 42 11 5 0 0 my comm\n')).toEqual({
      kind: 'fork', pid: 11, ts: 100, ppid: 10, uid: 0, euid: 0, startTicks: 456789, cgroupId: '42', pgid: 11, sid: 5, ttyMajor: 0, ttyMinor: 0, comm: 'my comm',
    });
    expect(parseRecord('X 11 101 768 4567890123456 42 sh\n')).toEqual({ kind: 'exit', pid: 11, ts: 101, status: 768, startTicks: 456789, cgroupId: '42', comm: 'sh' });
    expect(parseRecord('N 5 9 1 -115 0 0 100000000 7 2 6 40000 4444 127.0.0.1 10.0.0.1 :: ::\n')).toEqual({
      kind: 'net', pid: 5, ts: 9, op: 'connect', ret: -115, uid: 0, euid: 0, ipVersion: 4, protocol: 6, localPort: 40000, remotePort: 4444,
      localAddr: '127.0.0.1', remoteAddr: '10.0.0.1', startTicks: 10, cgroupId: '7',
    });
    expect(parseRecord('N 5 9 3 0 0 0 100000000 7 10 6 4444 0 0.0.0.0 0.0.0.0 ::1 ::\n')).toMatchObject({
      op: 'listen', ipVersion: 6, localAddr: '::1', remoteAddr: '::',
    });
  });

  it('reads integers exactly as Number() does, u64 ids as text', () => {
    expect(parseRecord('B 1 9007199254740993123')).toMatchObject({ ts: Number('9007199254740993123') });
    expect(parseRecord('X 1 2 -9 5 18446744073709551615 c')).toMatchObject({ status: -9, cgroupId: '18446744073709551615' });
  });

  it('rejects malformed records', () => {
    for (const bad of ['Q 1', 'E 1 2', 'E x 2 3 4 5 6 7 8 9 10 11 n', 'K 11 100 10 0 0 4567890123456 42 my comm', 'N 1 2 9 0 0 0 0 0 2 6 1 2 a b c d',
      'N 1 2 1 0 0 0 0 0 1 6 1 2 a b c d', 'N 1 2 1 0 0 0 0 0 2 6 1 2 a b c d e', 'A 1 2 3 zz', 'A 1 2 3 6', 'A 1 2 3 61  62', 'A 1 2 3 61 ', 'A 1 2 3',
      `A 1 2 3 ${'00'.repeat(129)}`, 'B 1', 'B 1 2 3', 'B1 2', 'E 1 2 3 4 5 6 7 8 9 -10 11 n', 'X 1 2 3 4 -5 c', 'X 1 2 3 4 5', '', 'S 1 2 3 4 5 6 7 8 9', 'F 1 2 /x']) {
      expect(parseRecord(bad), bad).toBeUndefined();
    }
  });

  it('rejects malformed P records', () => {
    for (const bad of ['P 1 2 3 4 5 6 7 8 9', 'P 1 2 3 4 5 6 x 8 9 /a', 'P 1 2 3 4 5 6 7 8 x /a', 'P 1 2 3 4 5 6 9007199254740992 8 0 /a',
      'P 1 2 3 4 5 6 99999999999999999999 8 0 /a', 'P x 2 3 4 5 6 7 8 9 /a']) {
      expect(parseRecord(`${bad}\n`), bad).toBeUndefined();
    }
    expect(parseRecord('P 1 2 3 4 5 6 9007199254740991 8 0 /a')).toMatchObject({ session: { capEffective: Number.MAX_SAFE_INTEGER } });
  });

  it('parses G records at any nesting depth, names last and verbatim', () => {
    expect(parseRecord('G 7055 0 k\n')).toEqual({ kind: 'cgroup', cgroupId: '7055', level: 0, name: 'k' });
    expect(parseRecord('G 1 0 \n')).toEqual({ kind: 'cgroup', cgroupId: '1', level: 0, name: '' });
    // depth 1 of a cgroup nested 40 levels deep is 39 steps above it
    expect(parseRecord('G 7055 39 docker\n')).toEqual({ kind: 'cgroup', cgroupId: '7055', level: 39, name: 'docker' });
    expect(parseRecord('G 9 2 name with spaces\n')).toMatchObject({ level: 2, name: 'name with spaces' });
    expect(parseRecord('G 9 1234567 y')).toMatchObject({ level: 1234567 });
    for (const bad of ['G 9 -1 x', 'G 9 x y', 'G x 0 y', 'G 9 12345678 y', 'G 9']) expect(parseRecord(bad), bad).toBeUndefined();
  });

  it('converts start_boottime to clock ticks exactly, beyond 2^53 ns', () => {
    expect(nsToTicks('9007199254740993123')).toBe(900719925474);
    expect(nsToTicks('9999999')).toBe(0);
    expect(parseRecord('X 1 2 0 9007199254740993123 5 c')).toMatchObject({ startTicks: 900719925474 });
  });
});

describe('argv', () => {
  const header = { kind: 'exec' as const, pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 0, argLen: 0, startTicks: 1, cgroupId: '1', exeName: 'x' };
  /** Feeds printf payloads to the assembler as the decoder does. */
  const feeder = (asm: ExecAssembler) => (line: string) => {
    const r = parseRecord(line);
    if (r?.kind === 'chunk') asm.addChunk(r.pid, r.ts, r.index, r.hex, 0);
    else if (r?.kind === 'path') asm.addPath(r, 0);
    else throw new Error(`not a chunk or P record: ${line}`);
  };

  it('splits on NUL, keeps empty arguments, replaces invalid UTF-8', () => {
    expect(splitArgv(Buffer.from('a\0\0b\xffc\0', 'latin1'), 3)).toEqual({ args: ['a', '', 'b\uFFFDc'], complete: true });
  });

  it('reports an incomplete area', () => {
    expect(splitArgv(Buffer.from('a\0bc', 'latin1'), 3)).toEqual({ args: ['a', 'bc'], complete: false });
  });

  it('reassembles chunks and flags a missing one as truncated', () => {
    const counters = new Counters();
    const asm = new ExecAssembler(counters);
    const feed = feeder(asm);
    const area = Buffer.from(`/bin/x\0${'y'.repeat(200)}\0`, 'latin1');
    const h = { ...header, argc: 2, argLen: area.length };
    feed(`A 1 5 0 ${hex(area.subarray(0, 128).toString('latin1'))}`);
    feed(`A 1 5 1 ${area.subarray(128).toString('hex')}`);
    feed('P 1 5 1 1 0 0 0 0 0 /bin/x');
    expect(asm.complete(h)).toMatchObject({ args: ['/bin/x', 'y'.repeat(200)], argsTruncated: false, filename: '/bin/x' });
    expect(counters.get('exec_incomplete')).toBe(0);
    feed(`A 1 6 0 ${area.subarray(0, 128).toString('hex')}`);
    feed('P 1 6 1 1 0 0 0 0 0 /bin/x');
    expect(asm.complete({ ...h, ts: 6 })).toMatchObject({ args: ['/bin/x', 'y'.repeat(121)], argsTruncated: true });
    expect(counters.get('exec_incomplete')).toBe(1);
    // a filename as long as the probe reads is a prefix: flagged, never taken as whole
    const long = `/tmp/${'L'.repeat(154)}`;
    expect(parseRecord(`P 1 7 1 1 0 0 0 0 0 ${long}\n`)).toMatchObject({ kind: 'path', truncated: true });
    expect(parseRecord(`P 1 7 1 1 0 0 0 0 0 ${long.slice(1)}\n`)).toMatchObject({ truncated: false });
    feed(`P 1 7 1 1 0 0 0 0 0 ${long}`);
    expect(asm.complete({ ...header, ts: 7 })).toMatchObject({ filename: long, executableTruncated: true });
    // the P record lost: no filename, session or cwd, and counted
    const lost = asm.complete({ ...header, ts: 8 });
    expect([lost.filename, lost.session, lost.cwd]).toEqual([undefined, undefined, undefined]);
    expect(counters.get('exec_incomplete')).toBe(2);
  });

  it('keeps the records of two execs apart when they interleave', () => {
    const asm = new ExecAssembler(new Counters());
    const feed = feeder(asm);
    feed(`A 1 5 0 ${hex('/bin/a\0')}`);
    feed(`A 1 6 0 ${hex('/bin/b\0')}`);
    feed('P 1 6 1 1 0 0 0 0 0 /bin/b');
    feed('P 1 5 1 1 0 0 0 0 0 /bin/a');
    expect(asm.complete({ ...header, ts: 6, argc: 1, argLen: 7 })).toMatchObject({ args: ['/bin/b'], filename: '/bin/b' });
    expect(asm.complete({ ...header, ts: 5, argc: 1, argLen: 7 })).toMatchObject({ args: ['/bin/a'], filename: '/bin/a' });
  });

  it('builds the cwd from exactly cwd_depth components (leaf first); a gap or -1 leaves it out', () => {
    const asm = new ExecAssembler(new Counters());
    const feed = feeder(asm);
    const part = (ts: number, i: number, name: string) => feed(`A 1 ${ts} ${64 + i} ${hex(name)}`);
    part(5, 0, 'b c');
    part(5, 1, 'caf\xc3\xa9');
    part(5, 2, 'tmp');
    feed('P 1 5 3 3 136 1 0 0 3 /bin/x');
    const ev = asm.complete(header);
    expect([ev.cwd, ev.session]).toEqual(['/tmp/café/b c', { pgid: 3, sid: 3, ttyMajor: 136, ttyMinor: 1, capEffective: 0, capPermitted: 0 }]);
    feed('P 1 6 3 3 0 0 0 0 0 /bin/x');
    expect(asm.complete({ ...header, ts: 6 }).cwd).toBe('/');
    part(7, 0, 'deep');
    feed('P 1 7 3 3 0 0 0 0 -1 /bin/x');
    expect(asm.complete({ ...header, ts: 7 }).cwd).toBeUndefined();
    part(8, 1, 'a'); // component 0 lost
    feed('P 1 8 3 3 0 0 0 0 2 /bin/x');
    expect(asm.complete({ ...header, ts: 8 }).cwd).toBeUndefined();
    part(9, 0, 'a');
    feed('P 1 9 3 3 0 0 0 0 2 /bin/x'); // one component fewer than the probe counted
    expect(asm.complete({ ...header, ts: 9 }).cwd).toBeUndefined();
  });

  it('keeps only allow-listed environment entries, and none without an allow-list', () => {
    const env = Buffer.from('SECRET=x\0LD_PRELOAD=/tmp/a.so\0PATH=/bin\0', 'latin1');
    const asm = new ExecAssembler(new Counters());
    asm.addChunk(1, 5, 32, env.toString('hex'), 0);
    expect(asm.complete(header).env).toBeUndefined();
    asm.envAllow = new Set(['LD_PRELOAD', 'PATH']);
    asm.addChunk(1, 5, 32, env.subarray(0, 20).toString('hex'), 0);
    asm.addChunk(1, 5, 33, hex(env.subarray(20).toString('latin1')), 0);
    expect(asm.complete(header).env).toEqual(['LD_PRELOAD=/tmp/a.so', 'PATH=/bin']);
  });
});

describe('reorder buffer', () => {
  it('releases in timestamp order after the window and passes late events through', () => {
    const out: number[] = [];
    const rb = new ReorderBuffer<{ ts: number }>(10, (e) => out.push(e.ts));
    rb.push({ ts: 3 }, 0);
    rb.push({ ts: 1 }, 1);
    rb.push({ ts: 2 }, 2);
    rb.flush(5);
    expect(out).toEqual([]);
    rb.flush(11);
    expect(out).toEqual([1, 2, 3]);
    rb.push({ ts: 0 }, 12);
    expect(out).toEqual([1, 2, 3, 0]);
    expect(rb.late).toBe(1);
  });
});

describe('/proc parsing', () => {
  it('parses stat with spaces and parentheses in comm', () => {
    const stat = '123 (a (b) c) S 45 123 123 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 1000 10';
    expect(parseProcStat(stat)).toEqual({ comm: 'a (b) c', ppid: 45, startTicks: 98765, pgid: 123, sid: 123, ttyMajor: 0, ttyMinor: 0 });
    // tty_nr 34818 = pts/2 (136:2); 1025 = tty1 (4:1)
    expect(parseProcStat(stat.replace('123 0 -1', '123 34818 -1'))).toMatchObject({ ttyMajor: 136, ttyMinor: 2 });
    expect(parseProcStat(stat.replace('123 0 -1', '123 1025 -1'))).toMatchObject({ ttyMajor: 4, ttyMinor: 1 });
  });

  it('parses capability masks from status', () => {
    expect(parseProcStatusCaps('CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000000400\n')).toEqual({
      capEffective: 1024, capPermitted: 2199023255551,
    });
    expect(parseProcStatusCaps('Uid: 0 0 0 0\n')).toBeUndefined();
  });

  it('parses uids, gids and cmdline', () => {
    expect(parseProcStatusIds('Name:\tx\nUid:\t1 2 3 4\nGid:\t5 6 7 8\n')).toEqual({ uid: 1, euid: 2, gid: 5, egid: 6 });
    expect(parseCmdline(Buffer.from('a\0\0b\0'))).toEqual(['a', '', 'b']);
  });
});

describe('clock', () => {
  it('formats monotonic times exactly as Date#toISOString does, across second boundaries', async () => {
    const { Clock } = await import('../../src/util/clock.js');
    const clock = new Clock();
    const base = Number(process.hrtime.bigint());
    for (let i = 0; i < 5000; i++) {
      const ns = base + i * 999_983 + (i % 7) * 137;
      expect(clock.isoMs(clock.wallMs(ns))).toBe(new Date(clock.wallMs(ns)).toISOString());
    }
    expect(clock.isoMs(clock.wallMs(base - 3_600_000_000_000))).toBe(new Date(clock.wallMs(base - 3_600_000_000_000)).toISOString());
  });
});
