// Pure decoding: bpftrace JSON repair, record parsing, argv splitting, exec reassembly, reordering.

import { describe, expect, it } from 'vitest';
import { bytesToUtf8, parseBpftraceLine, repairBpftraceJson } from '../../src/probe/bpftrace-json.js';
import { ExecAssembler, splitArgv } from '../../src/probe/exec-assembler.js';
import { decodeSession, nsToTicks, parseRecord, SESSION_INDEX } from '../../src/probe/records.js';
import { ReorderBuffer } from '../../src/probe/reorder-buffer.js';
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
    expect(parseRecord(`A 10 99 0 ${hex('ab\0c\0')}\n`)).toMatchObject({ kind: 'argv', pid: 10, index: 0, hex: '6162006300' });
    expect(parseRecord('F 10 99 /usr/bin/with space\n')).toMatchObject({ kind: 'filename', path: '/usr/bin/with space' });
    expect(parseRecord('E 10 99 1 0 1000 0 1000 3 12 4567890123456 42 nc.openbsd\n')).toMatchObject({
      kind: 'exec', pid: 10, ppid: 1, euid: 1000, argc: 3, argLen: 12, startTicks: 456789, cgroupId: '42', exeName: 'nc.openbsd',
    });
    const s = parseRecord('S 10 99 7 5 136 3 2199023255551 1024\n');
    expect(s).toMatchObject({ kind: 'argv', pid: 10, ts: 99, index: SESSION_INDEX });
    expect(s?.kind === 'argv' && decodeSession(s.hex)).toEqual({
      pgid: 7, sid: 5, ttyMajor: 136, ttyMinor: 3, capEffective: 2199023255551, capPermitted: 1024,
    });
    expect(parseRecord('K 11 100 10 0 0 4567890123456 42 11 5 0 0 my comm\n')).toMatchObject({
      kind: 'fork', ppid: 10, pgid: 11, sid: 5, ttyMajor: 0, ttyMinor: 0, comm: 'my comm',
    });
    expect(parseRecord('X 11 101 768 4567890123456 42 sh\n')).toMatchObject({ kind: 'exit', status: 768 });
    expect(parseRecord('N 5 9 1 -115 0 0 100000000 7 2 6 40000 4444 127.0.0.1 10.0.0.1 :: ::\n')).toMatchObject({
      kind: 'net', op: 'connect', ret: -115, ipVersion: 4, protocol: 6, localPort: 40000, remotePort: 4444,
      localAddr: '127.0.0.1', remoteAddr: '10.0.0.1', startTicks: 10,
    });
    expect(parseRecord('N 5 9 3 0 0 0 100000000 7 10 6 4444 0 0.0.0.0 0.0.0.0 ::1 ::\n')).toMatchObject({
      op: 'listen', ipVersion: 6, localAddr: '::1', remoteAddr: '::',
    });
  });

  it('rejects malformed records', () => {
    for (const bad of ['Q 1', 'E 1 2', 'E x 2 3 4 5 6 7 8 9 10 11 n', 'S 1 2 3 4 5 6 7', 'S 1 2 3 4 5 6 99999999999999999999 0',
      'S 1 2 3 4 5 x 7 8', 'S 1 2 3 4 5 6 7 8 9 10', 'K 11 100 10 0 0 4567890123456 42 my comm', 'N 1 2 9 0 0 0 0 0 2 6 1 2 a b c d', 'N 1 2 1 0 0 0 0 0 1 6 1 2 a b c d', 'A 1 2 3 zz', '']) {
      expect(parseRecord(bad)).toBeUndefined();
    }
  });

  it('parses G records at any nesting depth, names last and verbatim', () => {
    expect(parseRecord('G 7055 0 k\n')).toEqual({ kind: 'cgroup', cgroupId: '7055', level: 0, name: 'k' });
    expect(parseRecord('G 1 0 \n')).toEqual({ kind: 'cgroup', cgroupId: '1', level: 0, name: '' });
    // depth 1 of a cgroup nested 40 levels deep is 39 steps above it
    expect(parseRecord('G 7055 39 docker\n')).toEqual({ kind: 'cgroup', cgroupId: '7055', level: 39, name: 'docker' });
    expect(parseRecord('G 9 2 name with spaces\n')).toMatchObject({ level: 2, name: 'name with spaces' });
    for (const bad of ['G 9 -1 x', 'G 9 x y', 'G x 0 y', 'G 9 12345678 y', 'G 9']) expect(parseRecord(bad), bad).toBeUndefined();
  });

  it('converts start_boottime to clock ticks exactly, beyond 2^53 ns', () => {
    expect(nsToTicks('9007199254740993123')).toBe(900719925474);
    expect(nsToTicks('9999999')).toBe(0);
  });
});

describe('argv', () => {
  it('splits on NUL, keeps empty arguments, replaces invalid UTF-8', () => {
    expect(splitArgv(Buffer.from('a\0\0b\xffc\0', 'latin1'), 3)).toEqual({ args: ['a', '', 'b\uFFFDc'], complete: true });
  });

  it('reports an incomplete area', () => {
    expect(splitArgv(Buffer.from('a\0bc', 'latin1'), 3)).toEqual({ args: ['a', 'bc'], complete: false });
  });

  it('reassembles chunks and flags a missing one as truncated', () => {
    const asm = new ExecAssembler();
    const area = Buffer.from(`/bin/x\0${'y'.repeat(200)}\0`, 'latin1');
    const header = { kind: 'exec' as const, pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 2, argLen: area.length, startTicks: 1, cgroupId: '1', exeName: 'x' };
    asm.addChunk(1, 5, 0, area.subarray(0, 128).toString('hex'), 0);
    asm.addChunk(1, 5, 1, area.subarray(128).toString('hex'), 0);
    asm.addFilename(1, 5, '/bin/x', 0);
    expect(asm.complete(header)).toMatchObject({ args: ['/bin/x', 'y'.repeat(200)], argsTruncated: false, filename: '/bin/x' });
    asm.addChunk(1, 6, 0, area.subarray(0, 128).toString('hex'), 0);
    expect(asm.complete({ ...header, ts: 6 })).toMatchObject({ args: ['/bin/x', 'y'.repeat(121)], argsTruncated: true });
    expect(asm.stats.incompleteExecs).toBe(1);
    // a filename as long as the probe reads is a prefix: flagged, never taken as whole
    const long = `/tmp/${'L'.repeat(154)}`;
    const f = parseRecord(`F 1 7 ${long}\n`);
    expect(f).toMatchObject({ kind: 'filename', truncated: true });
    expect(parseRecord(`F 1 7 ${long.slice(1)}\n`)).toMatchObject({ truncated: false });
    asm.addFilename(1, 7, long, 0, true);
    expect(asm.complete({ ...header, ts: 7 })).toMatchObject({ filename: long, executableTruncated: true });
  });

  it('builds the cwd from its components (leaf first) only when the walk reached the root', () => {
    const asm = new ExecAssembler();
    const header = { kind: 'exec' as const, pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 0, argLen: 0, startTicks: 1, cgroupId: '1', exeName: 'x' };
    const rec = (ts: number, index: number, name: string) => {
      const r = parseRecord(`A 1 ${ts} ${index} ${name ? Buffer.from(name).toString('hex') : '2f'}\n`);
      if (r?.kind === 'argv') asm.addChunk(r.pid, r.ts, r.index, r.hex, 0);
    };
    rec(5, 64, 'b c');
    rec(5, 65, 'é');
    rec(5, 66, 'tmp');
    rec(5, 127, '');
    const s = parseRecord('S 1 5 9 8 4 70 0 0\n');
    if (s?.kind === 'argv') asm.addChunk(s.pid, s.ts, s.index, s.hex, 0);
    expect(asm.complete(header)).toMatchObject({ cwd: '/tmp/é/b c', session: { pgid: 9, sid: 8, ttyMajor: 4, ttyMinor: 70 } });
    rec(6, 127, '');
    const root = asm.complete({ ...header, ts: 6 });
    expect([root.cwd, root.session]).toEqual(['/', undefined]);
    rec(7, 64, 'deep');
    expect(asm.complete({ ...header, ts: 7 }).cwd).toBeUndefined();
    rec(8, 65, 'gap');
    rec(8, 127, '');
    expect(asm.complete({ ...header, ts: 8 }).cwd).toBeUndefined();
  });

  it('takes the cwd depth from the S record: exact component count, -1 left out', () => {
    const asm = new ExecAssembler();
    const header = { kind: 'exec' as const, pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 0, argLen: 0, startTicks: 1, cgroupId: '1', exeName: 'x' };
    const feed = (line: string) => {
      const r = parseRecord(line);
      if (r?.kind === 'argv') asm.addChunk(r.pid, r.ts, r.index, r.hex, 0);
    };
    const part = (ts: number, i: number, name: string) => feed(`A 1 ${ts} ${64 + i} ${Buffer.from(name).toString('hex')}`);
    part(5, 0, 'b');
    part(5, 1, 'a');
    feed('S 1 5 3 3 136 1 0 0 2');
    const ev = asm.complete(header);
    expect([ev.cwd, ev.session]).toEqual(['/a/b', { pgid: 3, sid: 3, ttyMajor: 136, ttyMinor: 1, capEffective: 0, capPermitted: 0 }]);
    feed('S 1 6 3 3 0 0 0 0 0');
    expect(asm.complete({ ...header, ts: 6 }).cwd).toBe('/');
    part(7, 0, 'deep');
    feed('S 1 7 3 3 0 0 0 0 -1');
    expect(asm.complete({ ...header, ts: 7 }).cwd).toBeUndefined();
    part(8, 1, 'a'); // component 0 lost
    feed('S 1 8 3 3 0 0 0 0 2');
    expect(asm.complete({ ...header, ts: 8 }).cwd).toBeUndefined();
    expect(parseRecord('S 1 8 3 3 0 0 0 0 x')).toBeUndefined();
  });

  it('keeps only allow-listed environment entries, and none without an allow-list', () => {
    const env = Buffer.from('SECRET=x\0LD_PRELOAD=/tmp/a.so\0PATH=/bin\0', 'latin1');
    const header = { kind: 'exec' as const, pid: 1, ts: 5, ppid: 0, uid: 0, euid: 0, gid: 0, egid: 0, argc: 0, argLen: 0, startTicks: 1, cgroupId: '1', exeName: 'x' };
    const asm = new ExecAssembler();
    asm.addChunk(1, 5, 32, env.toString('hex'), 0);
    expect(asm.complete(header).env).toBeUndefined();
    asm.envAllow = new Set(['LD_PRELOAD', 'PATH']);
    asm.addChunk(1, 5, 32, env.subarray(0, 20).toString('hex'), 0);
    asm.addChunk(1, 5, 33, env.subarray(20).toString('hex'), 0);
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
