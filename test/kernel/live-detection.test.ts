// Issue 5 acceptance on the real kernel: the seed rules' scenarios with real netcat binaries
// (openbsd, traditional, ncat, busybox) on the host and in runc containers; throttling;
// exceptions; pending sequences released at exit; the alert log after kill -9.

import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { getPath } from '../../src/ecs/ecs-event.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { connectTo } from '../helpers/host-nc.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { containerId, runContainer } from '../helpers/runc.js';

const RULE1 = 'Netcat Listener Established Inside A Container';
const RULE2 = 'File Transfer or Listener Established via Netcat';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let port = 40000 + (process.pid % 10000);
const nextPort = () => ++port;

const rulesFor = (agent: AgentHarness, p: number) =>
  agent.alerts().filter((a) => ((getPath(a, 'process.args') as string[] | undefined) ?? []).includes(String(p))).map((a) => getPath(a, 'rule.name')).sort();

const listen = (p: number): Promise<Server> =>
  new Promise((resolve) => {
    const srv = createServer((s) => s.destroy()).listen(p, '127.0.0.1', () => resolve(srv));
  });

function ncShim(target: string): string {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-nc-`);
  symlinkSync(target, `${dir}/nc`);
  return `${dir}/nc`;
}

describe.skipIf(skipKernel)('live detection', () => {
  it('alerts exactly as the scenario table says, with real netcat binaries', async () => {
    const agent = await startAgentProcess();
    const expected = new Map<number, string[]>();
    try {
      // H: nc -l -p P then accept (netcat-openbsd) -> rule 2
      const p3 = nextPort();
      const s3 = execa('nc', ['-l', '-p', String(p3)], { reject: false, stdout: 'ignore' });
      await connectTo(p3);
      await s3;
      expected.set(p3, [RULE2]);

      // H: nc -lp P with P taken: no network event -> nothing; another process's connection doesn't count
      const p4 = nextPort();
      const busy = await listen(p4);
      await execa('nc', ['-lp', String(p4)], { reject: false });
      await connectTo(p4);
      busy.close();
      expected.set(p4, []);

      // H: nc -e /bin/sh 127.0.0.1 P then connect (netcat-traditional, executed as "nc") -> rule 2
      const p7 = nextPort();
      const srv = await listen(p7);
      await execa(ncShim('/bin/nc.traditional'), ['-e', '/bin/sh', '127.0.0.1', String(p7)], { reject: false, timeout: 10000 });
      srv.close();
      expected.set(p7, [RULE2]);

      // C: nc -lvnp P (openbsd, host rootfs container) -> rule 1 only
      const p1 = nextPort();
      let r = await runContainer({ id: containerId(`s1-${p1}`), cgroupsPath: `/docker/${containerId(`s1-${p1}`)}`, hostRootfs: true, args: ['sh', '-c', `nc -lvnp ${p1} & sleep 0.5; kill $!`] });
      expect(r.exitCode, r.stderr).toBe(0);
      expected.set(p1, [RULE1]);

      // C: nc -l -p P then accept -> rules 1 and 2
      const p2 = nextPort();
      const c2 = runContainer({ id: containerId(`s2-${p2}`), cgroupsPath: `/system.slice/docker-${containerId(`s2-${p2}`)}.scope`, hostRootfs: true, args: ['nc', '-l', '-p', String(p2)] });
      await connectTo(p2);
      expect((await c2).exitCode).toBe(0);
      expected.set(p2, [RULE1, RULE2]);

      // C: busybox nc -l -p P -> rule 1 (through its args), not rule 2 (its name is busybox)
      const p5 = nextPort();
      const c5 = runContainer({ id: containerId(`s5-${p5}`), cgroupsPath: `/docker/${containerId(`s5-${p5}`)}`, args: ['busybox', 'nc', '-l', '-p', String(p5)] });
      await connectTo(p5);
      await c5;
      expected.set(p5, [RULE1]);

      // C: ncat --listen P -> rule 1 only
      const p6 = nextPort();
      r = await runContainer({ id: containerId(`s6-${p6}`), cgroupsPath: `/docker/${containerId(`s6-${p6}`)}`, hostRootfs: true, args: ['sh', '-c', `ncat --listen ${p6} & sleep 0.5; kill $!`] });
      expect(r.exitCode, r.stderr).toBe(0);
      expected.set(p6, [RULE1]);

      // C whose cgroup gives no container.id: nc -l -p P without the right to bind it -> nothing
      const p9 = 1000 + (p6 % 20);
      r = await runContainer({ id: containerId(`s9-${p9}`), cgroupsPath: `/weird/${containerId(`s9-${p9}`)}x`, hostRootfs: true, args: ['sh', '-c', `nc -l -p ${p9}; true`] });
      expected.set(p9, []);

      await sleep(1000);
      for (const [p, want] of expected) expect([p, rulesFor(agent, p)]).toEqual([p, [...want].sort()]);
      for (const a of agent.alerts()) {
        expect(a).toMatchObject({ event: { kind: 'alert', dataset: 'nightjar.alert' }, rule: { name: expect.any(String) }, host: { os: { type: 'linux' } } });
        if (getPath(a, 'rule.name') === RULE1) expect(getPath(a, 'container.id')).toMatch(/^[0-9a-f]{64}$/);
        expect(ecsProblems(a)).toEqual([]);
        expect(getPath(a, 'message')).toBe(`${getPath(a, 'rule.name')}: ${getPath(a, 'process.command_line')}`);
      }
    } finally {
      await agent.stop();
    }
  });

  it('throttles at max_signals: 150 listeners in a container give 100 alerts and a summary of 50', async () => {
    const agent = await startAgentProcess();
    const id = containerId(`throttle-${process.pid}`);
    const r = await runContainer({
      id, cgroupsPath: `/docker/${id}`, hostRootfs: true,
      args: ['sh', '-c', 'ln -s /bin/true /tmp/nc; i=0; while [ $i -lt 150 ]; do /tmp/nc -l -p $((20000+i)); i=$((i+1)); done'],
    });
    expect(r.exitCode, r.stderr).toBe(0);
    await agent.waitForAll((e) => getPath(e, 'process.name') === 'nc' && getPath(e, 'container.id') === id && getPath(e, 'event.action') === 'exec', 150, 20000);
    await sleep(500);
    await agent.stop();
    const mine = agent.alerts().filter((a) => getPath(a, 'container.id') === id || getPath(a, 'event.kind') === 'metric');
    expect(mine.filter((a) => getPath(a, 'rule.name') === RULE1 && getPath(a, 'event.kind') === 'alert')).toHaveLength(100);
    const summary = mine.filter((a) => getPath(a, 'event.kind') === 'metric');
    expect(summary).toHaveLength(1);
    expect(getPath(summary[0]!, 'nightjar.suppressed.count')).toBe(50);
    expect(getPath(summary[0]!, 'rule.name')).toBe(RULE1);
  });

  it('applies exceptions: a container.id silences rule 1 there only; process.args silences matching commands only', async () => {
    const dir = mkdtempSync(`${tmpdir()}/nightjar-exc-`);
    const quiet = containerId(`quiet-${process.pid}`);
    const loud = containerId(`loud-${process.pid}`);
    const rule1Id = /rule_id = "([^"]+)"/.exec(readFileSync(`${process.cwd()}/rules/linux_netcat_listener_in_container.toml`, 'utf8'))![1]!;
    writeFileSync(`${dir}/config.yaml`, [
      'rules:', '  exceptions:',
      `    - rule_id: "${rule1Id}"`, '      entries:', `        - { field: container.id, type: match, value: "${quiet}" }`,
      '    - entries:', '        - { field: process.args, type: match, value: "health-check" }',
    ].join('\n'));
    const agent = await startAgentProcess(['--config', `${dir}/config.yaml`]);
    try {
      for (const id of [quiet, loud]) {
        const r = await runContainer({ id, cgroupsPath: `/docker/${id}`, hostRootfs: true, args: ['sh', '-c', 'ln -s /bin/true /tmp/nc; /tmp/nc -l -p 1111; /tmp/nc -l -p 2222 health-check'] });
        expect(r.exitCode, r.stderr).toBe(0);
      }
      await agent.waitForAll((e) => getPath(e, 'process.name') === 'nc' && getPath(e, 'event.action') === 'exec' && [quiet, loud].includes(getPath(e, 'container.id') as string), 4);
      await sleep(500);
      const got = agent.alerts().map((a) => [getPath(a, 'container.id'), (getPath(a, 'process.args') as string[]).at(-1)]);
      expect(got).toEqual([[loud, '1111']]);
    } finally {
      await agent.stop();
    }
  });

  it('releases the pending sequences of 10,000 nc-style starts that never touch the network', async () => {
    const agent = await startAgentProcess();
    const nc = ncShim('/bin/true');
    await execa('sh', ['-c', `i=0; while [ $i -lt 10000 ]; do ${nc} -l -p 1; i=$((i+1)); done`]);
    await agent.waitForAll((e) => getPath(e, 'process.executable') === nc && getPath(e, 'event.action') === 'end', 10000, 60000);
    await sleep(500);
    await agent.stop();
    const stopped = JSON.parse(agent.logLines.find((l) => l.includes('"msg":"stopped"'))!) as Record<string, number>;
    expect(stopped.pending_sequences).toBe(0);
    expect(stopped.sequences_released).toBeGreaterThanOrEqual(10000);
    expect(stopped.rss_bytes).toBeLessThan(400 * 1024 * 1024);
    expect(agent.alerts()).toEqual([]);
  });

  it('keeps the alert log whole across kill -9: complete lines, nothing reported written missing', async () => {
    const rulesDir = mkdtempSync(`${tmpdir()}/nightjar-storm-rules-`);
    mkdirSync(rulesDir, { recursive: true });
    writeFileSync(`${rulesDir}/storm.toml`, `[rule]\nname = "storm"\ndescription = "test"\nrisk_score = 21\nrule_id = "storm-1"\nseverity = "low"\ntype = "eql"\nmax_signals = 1000000\nquery = 'process where process.args : "alert-storm"'\n`);
    const agent = await startAgentProcess(['--rules', rulesDir]);
    const storm = execa('sh', ['-c', 'i=0; while [ $i -lt 20000 ]; do /bin/true alert-storm $i; i=$((i+1)); done'], { reject: false });
    await agent.waitForLog((l) => l.includes('alerts written') && (JSON.parse(l) as { alerts_written: number }).alerts_written > 200, 30000);
    await sleep(300);
    agent.proc.kill('SIGKILL');
    await agent.proc;
    storm.kill();
    await storm;
    const reported = Math.max(...agent.logLines.filter((l) => l.includes('alerts written')).map((l) => (JSON.parse(l) as { alerts_written: number }).alerts_written));
    const text = readFileSync(`${agent.dir}/alerts.ndjson`, 'utf8');
    const lines = text.split('\n');
    const torn = lines.pop();
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.length).toBeGreaterThanOrEqual(reported);
    // the next start cuts a torn tail off and goes on appending whole lines
    const again = await startAgentProcess(['--rules', rulesDir, '--alerts', `${agent.dir}/alerts.ndjson`]);
    await again.stop();
    const after = readFileSync(`${agent.dir}/alerts.ndjson`, 'utf8');
    expect(after.endsWith('\n') || after === '').toBe(true);
    expect(after.split('\n').filter(Boolean).length).toBe(lines.length);
    expect(torn === '' || again.logLines.some((l) => l.includes('torn line'))).toBe(true);
  });
});
