// Issue 4 acceptance 2-5: real runc containers with cgroupsPath in each runtime's shape;
// the ECS events of processes inside carry container.* (and the pod), host ones never do.

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { containerId, runContainer } from '../helpers/runc.js';

const get = (e: EcsDoc, p: string) => getPath(e, p);
const UID = '3b2c9c6e-1f2a-4c1b-9d3e-5f6a7b8c9d0e';
const U_ = UID.replaceAll('-', '_');
let port = 30000 + (process.pid % 10000);

interface Shape {
  name: string;
  path: (id: string) => string;
  runtime: string;
  pod: boolean;
}

const SHAPES: Shape[] = [
  { name: 'docker cgroupfs', path: (id) => `/docker/${id}`, runtime: 'docker', pod: false },
  { name: 'docker systemd', path: (id) => `/system.slice/docker-${id}.scope`, runtime: 'docker', pod: false },
  { name: 'kubernetes cgroupfs besteffort (runc state)', path: (id) => `/kubepods/besteffort/pod${UID}/${id}`, runtime: 'runc', pod: true },
  { name: 'kubernetes cgroupfs guaranteed (runc state)', path: (id) => `/kubepods/pod${UID}/${id}`, runtime: 'runc', pod: true },
  { name: 'containerd systemd', path: (id) => `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U_}.slice/cri-containerd-${id}.scope`, runtime: 'containerd', pod: true },
  { name: 'cri-o systemd', path: (id) => `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${U_}.slice/crio-${id}.scope`, runtime: 'cri-o', pod: true },
  { name: 'podman', path: (id) => `/machine.slice/libpod-${id}.scope`, runtime: 'podman', pod: false },
];

describe.skipIf(skipKernel)('container context from cgroups (real runc)', () => {
  let agent: AgentHarness;
  beforeAll(async () => {
    agent = await startAgentProcess();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  for (const shape of SHAPES) {
    it(`${shape.name}: nc -l -p and /bin/true carry container.id, runtime and pod`, async () => {
      const id = containerId(`${shape.name}-${process.pid}`);
      const p = ++port;
      const r = await runContainer({
        id, cgroupsPath: shape.path(id),
        args: ['sh', '-c', `/bin/true marker-${p}; nc -l -p ${p} & sleep 0.3; kill $!`],
      });
      expect(r.exitCode, r.stderr).toBe(0);
      const isTrue = (e: EcsDoc) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[1] === `marker-${p}`;
      // busybox's shell runs applets by exec'ing /proc/self/exe: name busybox, args[0] nc
      const isNc = (e: EcsDoc) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[0] === 'nc' && (get(e, 'process.args') as string[]).includes(String(p));
      for (const ev of [await agent.waitFor(isTrue), await agent.waitFor(isNc)]) {
        expect(get(ev, 'container.id')).toBe(id);
        expect(get(ev, 'container.runtime')).toBe(shape.runtime);
        if (shape.pod) {
          expect(get(ev, 'orchestrator.type')).toBe('kubernetes');
          expect(get(ev, 'orchestrator.resource.type')).toBe('pod');
          expect(get(ev, 'orchestrator.resource.id')).toBe(UID);
        } else {
          expect(get(ev, 'orchestrator')).toBeUndefined();
        }
      }
    });
  }

  it('tags all 200 runs of /bin/true in one container', async () => {
    const id = containerId(`loop-${process.pid}`);
    const r = await runContainer({
      id, cgroupsPath: `/docker/${id}`,
      args: ['sh', '-c', 'i=0; while [ $i -lt 200 ]; do /bin/true loop-run; i=$((i+1)); done'],
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const runs = await agent.waitForAll((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[1] === 'loop-run', 200, 20000);
    expect(runs).toHaveLength(200);
    expect(runs.filter((e) => get(e, 'container.id') === id)).toHaveLength(200);
  });

  it('reads names from CRI annotations in the OCI bundle', async () => {
    const id = containerId(`annotated-${process.pid}`);
    const r = await runContainer({
      id, cgroupsPath: `/kubepods/burstable/pod${UID}/${id}`,
      args: ['sh', '-c', 'sleep 0.3; /bin/true annotated'],
      annotations: {
        'io.kubernetes.cri.container-name': 'web',
        'io.kubernetes.cri.sandbox-name': 'web-7d9f8-abcde',
        'io.kubernetes.cri.sandbox-namespace': 'shop',
        'io.kubernetes.cri.image-name': 'registry.example:5000/team/web:1.4.2',
        'io.kubernetes.cri.container-type': 'container',
      },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const ev = await agent.waitFor((e) => get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[1] === 'annotated');
    expect(get(ev, 'container.name')).toBe('web');
    expect(get(ev, 'container.image.name')).toBe('registry.example:5000/team/web');
    expect(get(ev, 'container.image.tag')).toEqual(['1.4.2']);
    expect(get(ev, 'orchestrator.namespace')).toBe('shop');
    expect(get(ev, 'orchestrator.resource.name')).toBe('web-7d9f8-abcde');
    expect(get(ev, 'orchestrator.resource.id')).toBe(UID);
  });

  it('never puts container fields on host processes', async () => {
    const host = execa('/bin/true', ['host-marker']);
    await host;
    const ev = await agent.waitFor((e) => get(e, 'process.pid') === host.pid && get(e, 'event.action') === 'exec');
    expect(ev.container).toBeUndefined();
    expect(ev.orchestrator).toBeUndefined();
    for (const e of agent.events()) {
      const c = e.container as { id?: unknown } | undefined;
      if (c) expect(c.id).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
