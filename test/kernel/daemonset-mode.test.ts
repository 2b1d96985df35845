// Issue 4 acceptance 6: the agent in a container with host mounts (as the DaemonSet runs it)
// reports a sibling container's id and the host's host.*, not its own.

import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { agentContainerLauncher } from '../helpers/agent-container.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { REPO } from '../helpers/paths.js';
import { containerId, runContainer } from '../helpers/runc.js';

const get = (e: EcsDoc, p: string) => getPath(e, p);

describe.skipIf(skipKernel)('agent in a container (DaemonSet mode)', () => {
  let agent: AgentHarness;
  const agentId = `nightjar-agent-${process.pid}`;
  beforeAll(async () => {
    agent = await startAgentProcess([], {}, agentContainerLauncher(agentId));
  });
  afterAll(async () => {
    await agent?.stop();
    await execa('runc', ['delete', '--force', agentId], { reject: false });
  });

  it("sees a sibling container's processes with its container.id", async () => {
    const id = containerId(`sibling-${process.pid}`);
    const r = await runContainer({ id, cgroupsPath: `/system.slice/docker-${id}.scope`, args: ['sh', '-c', '/bin/true sibling; nc -l -p 4444 & sleep 0.3; kill $!'] });
    expect(r.exitCode, r.stderr).toBe(0);
    const ev = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[1] === 'sibling');
    expect(get(ev, 'container.id')).toBe(id);
    expect(get(ev, 'container.runtime')).toBe('docker');
    const nc = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[0] === 'nc');
    expect(get(nc, 'container.id')).toBe(id);
    // and detects it: rule 1 fires for the sibling's listener
    await new Promise((r) => setTimeout(r, 500));
    const alerts = readFileSync(`${agent.dir}/alerts.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);
    const hit = alerts.find((a) => get(a, 'rule.name') === 'Netcat Listener Established Inside A Container' && get(a, 'container.id') === id);
    expect(hit, JSON.stringify(alerts.map((a) => get(a, 'rule.name')))).toBeDefined();
    expect(get(hit!, 'host.hostname')).toBe(readFileSync('/etc/hostname', 'utf8').trim());
  });

  it('answers the DaemonSet probe (nightjar health, run inside the container) on its loopback /healthz', async () => {
    const r = await execa('runc', ['exec', agentId, process.execPath, `${REPO}/bin/nightjar`, 'health', '--listen', agent.metrics], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\/healthz: 200 ok/);
  });

  it("describes the host, not the agent's container", async () => {
    const host = execa('/bin/true', ['from-host']);
    await host;
    const ev = await agent.waitFor((e) => get(e, 'process.pid') === host.pid && get(e, 'event.action') === 'exec');
    expect(ev.container).toBeUndefined();
    expect(get(ev, 'host.hostname')).toBe(readFileSync('/etc/hostname', 'utf8').trim());
    expect(get(ev, 'host.id')).toBe(readFileSync('/etc/machine-id', 'utf8').trim());
    expect(get(ev, 'host.os.name')).not.toBe('Image OS');
    expect(get(ev, 'host.os.platform')).toBe(/^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))![1]!.replaceAll('"', ''));
    // pids are the host's: the event's pid is the one we started
    expect(get(ev, 'process.args')).toEqual(['/bin/true', 'from-host']);
  });
});
