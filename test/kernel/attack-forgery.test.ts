// Issue 19 item 6, forgery: a user (`nobody`) controls argv, comm, executable paths, and (as
// root) cgroup names. One exec event per real exec, fields byte-exact, truncation flagged,
// no forged or split event, no rule fired by a forged record.

import { mkdirSync, mkdtempSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { NOBODY, asNobody, decoded, execBytesAsNobody, nobodyDir } from '../helpers/hostile-exec.js';
import { execRule, scrape } from '../helpers/hostile-watch.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const get = (e: EcsDoc, p: string) => getPath(e, p);
const CAPTURED_ARGV_BYTES = 4096; // probes/README.md: 32 chunks of 128 bytes
const bytes = (...b: number[]) => Buffer.from(b);

// Whole lines as bpftrace prints them, and fragments that would close one record and open another.
const FAKE_E = '{"type": "printf", "data": "E 4242 1 1 0 0 0 0 1 10 0 1 nj-forged"}';
const FAKE_F = '{"type": "printf", "data": "F 4242 1 /nj-forged"}';
const FAKE_A = '{"type": "printf", "data": "A 4242 1 0 6e6a2d666f7267656400"}';
const FAKE_LOST = '{"type": "lost_events", "data": {"events": 999}}';

const RULES = `
[rule]
name = "nj-forged"
description = "fires only on an event forged from a hostile string"
risk_score = 21
rule_id = "nj-forged-1"
severity = "low"
type = "eql"
query = 'process where process.name == "nj-forged" or process.executable == "/nj-forged"'
`;
const HONEST = execRule('nj-honest', 'fires on the real exec of nj-honest');

describe.skipIf(skipKernel)('attack: forgery by an unprivileged user', () => {
  let agent: AgentHarness;
  const dir = nobodyDir('nightjar-hostile-');
  /** pids of every process the tests really ran */
  const real = new Set<number>();
  beforeAll(async () => {
    const rules = mkdtempSync(`${tmpdir()}/nightjar-forgery-rules-`);
    writeFileSync(`${rules}/forged.toml`, RULES);
    writeFileSync(`${rules}/honest.toml`, HONEST);
    agent = await startAgentProcess(['--rules', rules]);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  /** Runs path with argv as nobody; returns its exec event after checking it is the only one. */
  async function hostileExec(path: Buffer | string, argv: (Buffer | string)[], exactPath = true): Promise<EcsDoc> {
    const child = execBytesAsNobody(path, argv);
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const pid = child.pid!;
    real.add(pid);
    // the end event comes after every exec of the pid has left the reorder window
    await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === pid);
    const execs = agent.events().filter((e) => get(e, 'event.action') === 'exec' && get(e, 'process.pid') === pid);
    const exes = execs.map((e) => get(e, 'process.executable'));
    expect(exactPath ? exes : exes.slice(0, 2)).toEqual(['/usr/bin/setpriv', '/usr/bin/perl', decoded(path)].slice(0, exactPath ? 3 : 2));
    expect(execs).toHaveLength(3);
    const ends = agent.events().filter((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === pid);
    expect(ends).toHaveLength(1);
    const ev = execs[2]!;
    expect(get(ev, 'user.id')).toBe(String(NOBODY));
    expect(get(ev, 'container.id')).toBeUndefined();
    expect(get(ends[0]!, 'process.entity_id')).toBe(get(ev, 'process.entity_id'));
    return ev;
  }

  const whole: [string, (Buffer | string)[]][] = [
    ['quotes, CR/LF, backslashes, escapes', ['/bin/true', 'a"b', "c'd", 'cr\r\nlf', '\r', '\n', '', 'back\\slash\\', '\\"', '\\u0041', '\\n', '\\uffffff41', '\\\\uffffff41', 'tab\tx', '\u0001\u007f']],
    ['invalid UTF-8', ['/bin/true', bytes(0x62, 0x61, 0x64, 0xff, 0x62), bytes(0xc3), bytes(0xed, 0xa0, 0x80), bytes(0xc0, 0xaf), 'é€😀', bytes(0xf0, 0x9f, 0x98), bytes(0xff, 0xfe, 0x22, 0x0a)]],
    ['bpftrace JSON lookalikes', ['/bin/true', FAKE_E, `\n${FAKE_F}\n${FAKE_A}\n${FAKE_E}\n`, '"}\n{"', '"}', '{"', FAKE_LOST, 'E 4242 1 1 0 0 0 0 1 10 0 1 nj-forged', `x"}\n${FAKE_E}\n{"y`]],
    ['argv[0] that is not the file', ['nj-forged', '-l', '-p', '4444']],
    ['100 short arguments', ['/bin/true', ...Array.from({ length: 100 }, (_, i) => `a${i}"\n`)]],
  ];
  for (const [name, argv] of whole) {
    it(`argv with ${name}: exact, untruncated`, async () => {
      const ev = await hostileExec('/bin/true', argv);
      const want = argv.map(decoded);
      expect(get(ev, 'process.args')).toEqual(want);
      expect(get(ev, 'process.args_count')).toBe(argv.length);
      expect(get(ev, 'process.command_line')).toBe(want.join(' '));
      expect(get(ev, 'process.name')).toBe('true');
      expect(get(ev, 'nightjar.process.args_truncated')).toBeUndefined();
    });
  }

  const big = (seed: string, n: number) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
  const cut: [string, string[]][] = [
    ['100 arguments of 100 bytes', ['/bin/true', ...Array.from({ length: 100 }, (_, i) => big(`${i}"}\n{"`, 100))]],
    ['one 128 KiB argument', ['/bin/true', big('x', 131071)]],
    ['a 128 KiB fake-record argument between two short ones', ['/bin/true', 'first', big(`"}\n${FAKE_E}\n{"`, 131071), 'nj-forged']],
  ];
  for (const [name, argv] of cut) {
    it(`argv with ${name}: flagged truncated, the true count, an exact prefix`, async () => {
      const ev = await hostileExec('/bin/true', argv);
      const got = get(ev, 'process.args') as string[];
      expect(get(ev, 'nightjar.process.args_truncated')).toBe(true);
      expect(get(ev, 'process.args_count')).toBe(argv.length);
      expect(got.length).toBeLessThan(argv.length + 1);
      expect(got.slice(0, -1)).toEqual(argv.slice(0, got.length - 1));
      expect(argv[got.length - 1]!.startsWith(got.at(-1)!)).toBe(true);
      expect(Buffer.byteLength(got.join('\0'))).toBe(CAPTURED_ARGV_BYTES);
    });
  }

  const names: Buffer[] = [
    'q"uote', 'new\nline', 'cr\rx', 'back\\slash', 'x\\uffffff41y', 'x\\\\uffffff41y', 'ctl\u0001\u007f', 'tab\tx', ' sp ace ',
    '"}\n{"', FAKE_E, 'E 4242 1 1 0 0 0 0 1 10 0 1 nj-forged', 'nj-honest',
  ].map((s) => Buffer.from(s)).concat([bytes(0x62, 0x61, 0x64, 0xff, 0x75), bytes(0xc3, 0x28), bytes(0xed, 0xa0, 0x80)]);
  it('executable paths with hostile file names: exact executable and name, one exec each', async () => {
    for (const n of names) {
      const path = Buffer.concat([Buffer.from(`${dir}/`), n]);
      symlinkSync('/bin/true', path);
      const ev = await hostileExec(path, [path, 'nj-path']);
      expect(get(ev, 'process.executable')).toBe(decoded(path));
      expect(get(ev, 'process.name')).toBe(decoded(n));
      expect(get(ev, 'process.args')).toEqual([decoded(path), 'nj-path']);
    }
  });

  it('an executable path through hostile directory names', async () => {
    const sub = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from('d"}\n{"\\'), bytes(0xff)]);
    mkdirSync(sub, { mode: 0o755 });
    const path = Buffer.concat([sub, Buffer.from('/E 1 2 3 true')]);
    symlinkSync('/bin/true', path);
    const ev = await hostileExec(path, ['x']);
    expect(get(ev, 'process.executable')).toBe(decoded(path));
    expect(get(ev, 'process.name')).toBe('E 1 2 3 true');
  });

  it('an executable path longer than the probe reads (a 200-byte file name): exact, or flagged truncated', async () => {
    const name = 'L'.repeat(200);
    const path = Buffer.from(`${dir}/${name}`);
    symlinkSync('/bin/true', path);
    const ev = await hostileExec(path, [path, 'nj-long'], false);
    const flagged = get(ev, 'nightjar.process.executable_truncated') === true;
    expect({ executable: get(ev, 'process.executable'), name: get(ev, 'process.name'), flagged })
      .toEqual(flagged ? expect.objectContaining({ flagged }) : { executable: decoded(path), name, flagged });
  });

  it('a hostile comm (prctl PR_SET_NAME) in fork and exit records: whole events, name from the exec', async () => {
    // perl's $0 sets comm through prctl(PR_SET_NAME) (15 bytes), then forks a child that exits
    const script = '$0 = pack("H*", $ARGV[0]); my $k = fork // die; if (!$k) { require POSIX; POSIX::_exit(3) } waitpid($k, 0); open my $c, "<", "/proc/$$/comm" or die; local $/; print unpack("H*", <$c>);';
    const comm = Buffer.from('"}\n{"\\\xff'.padEnd(15, 'E'), 'latin1');
    const child = execa(asNobody[0]!, [...asNobody.slice(1), '/usr/bin/perl', '-e', script, comm.toString('hex')], { reject: false });
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${comm.toString('hex')}0a`);
    const pid = child.pid!;
    real.add(pid);
    const end = await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === pid);
    const fork = agent.events().filter((e) => get(e, 'event.action') === 'fork' && get(e, 'process.parent.pid') === pid);
    expect(fork).toHaveLength(1);
    const kid = get(fork[0]!, 'process.pid') as number;
    real.add(kid);
    // a fork carries its parent's name (design.md), never the comm
    expect(get(fork[0]!, 'process.name')).toBe('perl');
    const kidEnd = await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === kid);
    expect(get(kidEnd, 'process.exit_code')).toBe(3);
    expect(get(end, 'process.name')).toBe('perl');
    expect(agent.events().filter((e) => get(e, 'process.pid') === kid)).toHaveLength(2);
  });

  it('hostile cgroup names (made by root): no crash, no container.id, one exec each', async () => {
    const parent = `/sys/fs/cgroup/unified/nightjar-hostile-${process.pid}`;
    mkdirSync(parent);
    const made: Buffer[] = [];
    const refused: string[] = [];
    try {
      const cgNames = ['q"uote', 'back\\slash', 'x\\uffffff41y', '"}\n{"', FAKE_E, 'G 1 0 docker', 'docker', `${'f'.repeat(64)}"`]
        .map((s) => Buffer.from(s)).concat([bytes(0x62, 0x61, 0x64, 0xff)]);
      for (const n of cgNames) {
        const cg = Buffer.concat([Buffer.from(`${parent}/`), n]);
        try {
          mkdirSync(cg);
        } catch (e) {
          refused.push(`${JSON.stringify(decoded(n))}: ${(e as NodeJS.ErrnoException).code}`);
          continue;
        }
        made.push(cg);
        // root moves itself into the cgroup, then execs /bin/true there as nobody
        const script = 'my ($cg, @argv) = map { pack "H*", $_ } @ARGV; open my $f, ">", "$cg/cgroup.procs" or die "$!"; print $f "$$\\n"; close $f or die "$!"; exec { $argv[0] } @argv or die "$!";';
        const argv = [...asNobody, '/bin/true', `nj-cgroup-${made.length}`];
        const child = execa('/usr/bin/perl', ['-e', script, ...[cg, ...argv.map((a) => Buffer.from(a))].map((b) => b.toString('hex'))], { reject: false });
        const r = await child;
        expect(r.exitCode, r.stderr).toBe(0);
        real.add(child.pid!);
        const ev = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && get(e, 'process.pid') === child.pid && get(e, 'process.name') === 'true');
        expect(get(ev, 'process.args')).toEqual(['/bin/true', `nj-cgroup-${made.length}`]);
        expect(get(ev, 'container.id')).toBeUndefined();
        await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === child.pid);
        expect(agent.events().filter((e) => get(e, 'event.action') === 'exec' && get(e, 'process.pid') === child.pid)).toHaveLength(3);
      }
    } finally {
      for (const cg of made) rmdirSync(cg);
      rmdirSync(parent);
    }
    console.log(`hostile cgroup names: ${made.length} made, refused by the kernel: ${refused.join(', ') || 'none'}`);
    expect(made.length).toBeGreaterThanOrEqual(5);
    expect(agent.proc.exitCode).toBeNull();
  });

  it('no forged event and no rule fired by one; nothing malformed or lost; the honest rule fired once', async () => {
    await new Promise((r) => setTimeout(r, 1000));
    const forged = agent.events().filter((e) =>
      get(e, 'host.os.type') !== 'linux' || typeof get(e, 'process.pid') !== 'number' ||
      (JSON.stringify(e).includes('nj-forged') && !real.has(get(e, 'process.pid') as number)) ||
      get(e, 'process.name') === 'nj-forged' || get(e, 'process.executable') === '/nj-forged');
    expect(forged).toEqual([]);
    const fired = agent.alerts().map((a) => get(a, 'rule.name'));
    expect(fired.filter((n) => n === 'nj-forged')).toEqual([]);
    expect(fired.filter((n) => n === 'nj-honest')).toEqual(['nj-honest']);
    const m = await scrape(agent);
    // a hostile string that broke a record would show here (exec_partials_orphaned also counts
    // other BPF tools' interference, so it is only logged)
    for (const k of ['probe_lines_malformed', 'probe_lines_overflowed', 'probe_records_lost']) {
      expect([k, m.get(`nightjar_${k}_total`) ?? 0]).toEqual([k, 0]);
    }
    console.log(`forgery: ${agent.events().length} events, exec_partials_orphaned ${m.get('nightjar_exec_partials_orphaned_total') ?? 0}`);
    expect(agent.proc.exitCode).toBeNull();
  });
});
