// Issue 2 acceptance 1-6: exact argv, no forging, fork/exec/end, netcat network events,
// entity ids, ECS validity, all on the real kernel through `nightjar run`.

import { readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { detectCapShape } from '../../src/probe/bpftrace-runner.js';
import { capabilityNames } from '../../src/process/capabilities.js';
import { parseProcStatusCaps } from '../../src/process/proc-parse.js';
import { entityId } from '../../src/process/entity-id.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const get = (e: EcsDoc, p: string) => getPath(e, p);
const isExec = (pid: number) => (e: EcsDoc) => get(e, 'event.action') === 'exec' && get(e, 'process.pid') === pid;
let port = 20000 + (process.pid % 20000);
const nextPort = () => ++port;

describe.skipIf(skipKernel)('sensor on the real kernel', () => {
  let agent: AgentHarness;
  beforeAll(async () => {
    agent = await startAgentProcess();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('captures argv byte-exact: spaces, tabs, newlines, quotes, backslash, empty, é, invalid UTF-8, 3000 bytes', async () => {
    const big = 'x'.repeat(2999) + 'y';
    // bash's $'..' puts raw bytes (0xff) into argv, which Node's own spawn cannot.
    const script = `exec /bin/true 'a b' $'tab\\there' $'line\\nnext' '"quoted"' 'back\\slash' '' 'é' $'bad\\xffbyte' '${big}'`;
    const child = execa('bash', ['-c', script]);
    await child;
    const ev = await agent.waitFor((e) => isExec(child.pid!)(e) && get(e, 'process.name') === 'true');
    expect(get(ev, 'process.args')).toEqual([
      '/bin/true', 'a b', 'tab\there', 'line\nnext', '"quoted"', 'back\\slash', '', 'é', 'bad\uFFFDbyte', big,
    ]);
    expect(get(ev, 'process.args_count')).toBe(10);
    expect(get(ev, 'process.name')).toBe('true');
    expect(get(ev, 'process.executable')).toBe('/bin/true');
    expect(get(ev, 'nightjar.process.args_truncated')).toBeUndefined();
  });

  it('captures 60 arguments exactly', async () => {
    const args = Array.from({ length: 60 }, (_, i) => `arg-${i}-${'z'.repeat(i)}`);
    const child = execa('/bin/true', args);
    await child;
    const ev = await agent.waitFor(isExec(child.pid!));
    expect(get(ev, 'process.args')).toEqual(['/bin/true', ...args]);
    expect(get(ev, 'process.args_count')).toBe(61);
  });

  it('marks argv beyond the capture limit as truncated, keeping the true count', async () => {
    const args = Array.from({ length: 10 }, (_, i) => `${i}`.repeat(600));
    const child = execa('/bin/true', args);
    await child;
    const ev = await agent.waitFor(isExec(child.pid!));
    expect(get(ev, 'nightjar.process.args_truncated')).toBe(true);
    expect(get(ev, 'process.args_count')).toBe(11);
    const got = get(ev, 'process.args') as string[];
    expect(got.slice(0, 6)).toEqual(['/bin/true', ...args.slice(0, 5)]);
    expect(got.length).toBeLessThan(11);
  });

  it('does not let an argument forge or split events', async () => {
    const evil = '"}\n{"event":{"action":"exec"}}';
    const child = execa('/bin/echo', [evil], { stdout: 'ignore' });
    await child;
    const ev = await agent.waitFor(isExec(child.pid!));
    expect(get(ev, 'process.args')).toEqual(['/bin/echo', evil]);
    await new Promise((r) => setTimeout(r, 300));
    const forged = agent.events().filter((e) => get(e, 'process.pid') === undefined || get(e, 'host.os.type') !== 'linux');
    expect(forged).toEqual([]);
    expect(agent.events().filter(isExec(child.pid!))).toHaveLength(1);
  });

  it('reports fork, exec and end for a shell that runs a child, with the exit code', async () => {
    const child = execa('/bin/sh', ['-c', '/bin/sleep 0.01; exit 7'], { reject: false });
    await child;
    const shPid = child.pid!;
    const fork = await agent.waitFor((e) => get(e, 'event.action') === 'fork' && get(e, 'process.parent.pid') === shPid);
    expect(get(fork, 'process.name')).toBe('sh');
    expect(get(fork, 'process.args')).toEqual(['/bin/sh', '-c', '/bin/sleep 0.01; exit 7']);
    expect(get(fork, 'event.type')).toEqual(['start']);
    const kid = get(fork, 'process.pid') as number;
    const exec = await agent.waitFor(isExec(kid));
    expect(get(exec, 'process.name')).toBe('sleep');
    expect(get(exec, 'process.parent.pid')).toBe(shPid);
    expect(get(exec, 'process.parent.name')).toBe('sh');
    expect(get(exec, 'process.entity_id')).toBe(get(fork, 'process.entity_id'));
    const kidEnd = await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === kid);
    expect(get(kidEnd, 'process.exit_code')).toBe(0);
    const end = await agent.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === shPid);
    expect(get(end, 'process.exit_code')).toBe(7);
    expect(get(end, 'event.type')).toEqual(['end']);
    expect(get(end, 'event.category')).toEqual(['process']);
  });

  for (const [family, host] of [['IPv4', '127.0.0.1'], ['IPv6', '::1']] as const) {
    it(`reports nc listen, connect and accept over ${family} with the exec's entity id`, async () => {
      const p = nextPort();
      const server = execa('nc', ['-l', host, String(p)], { reject: false, stdout: 'ignore' });
      const listen = await agent.waitFor((e) => get(e, 'event.action') === 'listen' && get(e, 'process.pid') === server.pid);
      const client = execa('nc', ['-N', host, String(p)], { input: 'hello\n', reject: false });
      await client;
      await server;
      const connect = await agent.waitFor((e) => get(e, 'event.action') === 'connection_attempted' && get(e, 'process.pid') === client.pid);
      const accept = await agent.waitFor((e) => get(e, 'event.action') === 'connection_accepted' && get(e, 'process.pid') === server.pid);
      const serverExec = await agent.waitFor(isExec(server.pid!));
      const clientExec = await agent.waitFor(isExec(client.pid!));
      const type = family === 'IPv4' ? 'ipv4' : 'ipv6';

      expect(get(serverExec, 'process.name')).toBe('nc');
      expect(get(listen, 'destination.ip')).toBe(host);
      expect(get(listen, 'destination.port')).toBe(p);
      expect(get(listen, 'network.transport')).toBe('tcp');
      expect(get(listen, 'network.type')).toBe(type);
      expect(get(listen, 'process.entity_id')).toBe(get(serverExec, 'process.entity_id'));

      expect(get(connect, 'destination.ip')).toBe(host);
      expect(get(connect, 'destination.port')).toBe(p);
      expect(get(connect, 'source.ip')).toBe(host);
      const clientPort = get(connect, 'source.port') as number;
      expect(clientPort).toBeGreaterThan(0);
      expect(get(connect, 'network.direction')).toBe('egress');
      expect(get(connect, 'network.type')).toBe(type);
      expect(get(connect, 'event.category')).toEqual(['network']);
      expect(get(connect, 'event.type')).toEqual(['start', 'connection']);
      expect(get(connect, 'process.entity_id')).toBe(get(clientExec, 'process.entity_id'));

      expect(get(accept, 'source.port')).toBe(clientPort);
      expect(get(accept, 'destination.port')).toBe(p);
      expect(get(accept, 'network.direction')).toBe('ingress');
      expect(get(accept, 'process.entity_id')).toBe(get(serverExec, 'process.entity_id'));
    });
  }

  it('reports nc -u as a UDP connection attempt', async () => {
    const p = nextPort();
    const client = execa('nc', ['-u', '-w', '1', '127.0.0.1', String(p)], { input: 'x\n', reject: false });
    await client;
    const connect = await agent.waitFor((e) => get(e, 'event.action') === 'connection_attempted' && get(e, 'process.pid') === client.pid);
    expect(get(connect, 'network.transport')).toBe('udp');
    expect(get(connect, 'destination.port')).toBe(p);
    expect(get(connect, 'network.type')).toBe('ipv4');
  });

  it('keeps entity_id across exec and changes it when a pid is reused', async () => {
    const child = execa('/bin/sh', ['-c', 'exec /bin/true']);
    await child;
    const execs = await agent.waitForAll(isExec(child.pid!), 2);
    expect(execs.map((e) => get(e, 'process.name'))).toEqual(['sh', 'true']);
    expect(get(execs[0]!, 'process.entity_id')).toBe(get(execs[1]!, 'process.entity_id'));

    // Force the same pid again through ns_last_pid (root only), then compare.
    const pid = child.pid!;
    let again: EcsDoc | undefined;
    for (let attempt = 0; attempt < 20 && !again; attempt++) {
      writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
      const reuse = execa('/bin/true', ['reuse']);
      await reuse;
      if (reuse.pid === pid) again = await agent.waitFor((e) => isExec(pid)(e) && get(e, 'process.args_count') === 2);
    }
    expect(again, 'pid reuse could not be forced').toBeDefined();
    expect(get(again!, 'process.entity_id')).not.toBe(get(execs[0]!, 'process.entity_id'));
  });

  it('gives a process started before the agent the same entity id formula', async () => {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const before = execa('sleep', ['1000'], { reject: false });
    const fresh = await startAgentProcess();
    try {
      const stat = readFileSync(`/proc/${before.pid}/stat`, 'utf8');
      const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      before.kill('SIGTERM');
      await before;
      const end = await fresh.waitFor((e) => get(e, 'event.action') === 'end' && get(e, 'process.pid') === before.pid);
      expect(get(end, 'process.entity_id')).toBe(entityId(bootId, before.pid!, startTicks));
      expect(get(end, 'process.name')).toBe('sleep');
      const exec = agent.events().find(isExec(before.pid!));
      expect(exec && get(exec, 'process.entity_id')).toBe(get(end, 'process.entity_id'));
    } finally {
      await fresh.stop();
    }
  });

  it('reads the cwd at exec (spaces, a mount crossed, a deleted-soon short-lived process), and pgid/sid leaders', async () => {
    const dir = `/tmp/nightjar cwd ${process.pid}/a b`;
    await execa('mkdir', ['-p', dir]);
    // setsid: a new session and group led by the shell; its child exec'd from `dir`, and one from /proc (another mount)
    const child = execa('setsid', ['bash', '-c', `cd "${dir}" && /bin/true cwd-a; cd /proc/sys && /bin/true cwd-b; true`]);
    await child;
    const a = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[]).includes('cwd-a'));
    const b = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[]).includes('cwd-b'));
    expect([get(a, 'process.working_directory'), get(b, 'process.working_directory')]).toEqual([dir, '/proc/sys']);
    const shell = get(a, 'process.parent.pid');
    expect(get(a, 'process.session_leader')).toMatchObject({ pid: shell, name: 'bash', same_as_process: false });
    expect(get(a, 'process.group_leader')).toMatchObject({ pid: shell, same_as_process: false });
    expect(get(a, 'process.parent.working_directory')).toBe(process.cwd());
    expect(get(a, 'process.interactive')).toBe(false);
    expect(get(a, 'user.name')).toBe('root');
    await execa('rm', ['-rf', `/tmp/nightjar cwd ${process.pid}`]);
  });

  it("reads capability masks in this kernel's layout (both 32-bit words), as /proc/PID/status shows them", async () => {
    const [major, minor] = release().split('.').map(Number);
    expect(await detectCapShape()).toBe(major! > 6 || (major === 6 && minor! >= 3) ? 'u64' : 'u32x2');
    // root's exec gets its bounding set: without CAP_SYS_ADMIN (bit 21) and CAP_BPF (bit 39)
    const child = execa('setpriv', ['--bounding-set=-sys_admin,-bpf', '/bin/sleep', '3']);
    const ev = await agent.waitFor((e) => isExec(child.pid!)(e) && get(e, 'process.name') === 'sleep');
    const caps = parseProcStatusCaps(readFileSync(`/proc/${child.pid}/status`, 'utf8'))!;
    await child;
    expect(get(ev, 'process.thread.capabilities.effective')).toEqual(capabilityNames(caps.capEffective));
    expect(get(ev, 'process.thread.capabilities.permitted')).toEqual(capabilityNames(caps.capPermitted));
    expect(get(ev, 'process.thread.capabilities.effective')).toEqual(expect.arrayContaining(['CAP_CHOWN', 'CAP_PERFMON']));
    expect(get(ev, 'process.thread.capabilities.effective')).not.toContain('CAP_BPF');
    expect(get(ev, 'process.thread.capabilities.effective')).not.toContain('CAP_SYS_ADMIN');
  });

  it('emits only valid ECS: every field exists with the right type and allowed values', async () => {
    await agent.waitFor((e) => get(e, 'event.action') === 'end');
    const all = agent.events();
    expect(all.length).toBeGreaterThan(50);
    const kinds = new Set(all.map((e) => get(e, 'event.action')));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['connection_accepted', 'connection_attempted', 'end', 'exec', 'fork', 'listen']));
    const problems = new Map<string, number>();
    for (const e of all) {
      for (const p of ecsProblems(e)) problems.set(p, (problems.get(p) ?? 0) + 1);
      expect(get(e, 'host.os.type')).toBe('linux');
    }
    expect([...problems.keys()]).toEqual([]);
  });
});
