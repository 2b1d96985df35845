// Issue 18 on the real kernel: a container moves its shell into nested cgroups of every shape
// (deep, id-shaped, another runtime's, a pod path) and runs `nc -l -p`; rule 1 must still alert
// and name the outer container, never a nested id. One agent and one runc container per shape.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { containerId } from '../helpers/runc.js';
import { runNestedContainer } from '../helpers/runc-nested.js';

const RULE1 = 'Netcat Listener Established Inside A Container';
const UID = '5c1e7a44-0b6d-4f2e-8a9c-1d2e3f405162';
const U_ = UID.replaceAll('-', '_');
const NB = containerId(`neighbour-${process.pid}`);
const HEX = 'e'.repeat(64);
const DEEP = 'a/b/c/d/e/f/g/h/i/j';
let port = 20000 + (process.pid % 10000);

interface Outer {
  name: string;
  path: (id: string) => string;
  /** undefined: the path does not say (read from runc's state, maybe after the first events) */
  runtime: string | undefined;
}

const OUTER: Outer[] = [
  { name: 'docker cgroupfs', path: (id) => `/docker/${id}`, runtime: 'docker' },
  { name: 'docker systemd', path: (id) => `/system.slice/docker-${id}.scope`, runtime: 'docker' },
  { name: 'kubernetes cgroupfs', path: (id) => `/kubepods/besteffort/pod${UID}/${id}`, runtime: undefined },
  { name: 'containerd systemd', path: (id) => `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U_}.slice/cri-containerd-${id}.scope`, runtime: 'containerd' },
  { name: 'cri-o systemd', path: (id) => `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${U_}.slice/crio-${id}.scope`, runtime: 'cri-o' },
  { name: 'podman', path: (id) => `/machine.slice/libpod-${id}.scope`, runtime: 'podman' },
];

/** nested path under the container's cgroup, and the ids it holds (kept under nightjar.*) */
const NESTED: Array<[string, string[]]> = [
  ['evil', []],
  ['a/b', []],
  ['system.slice', []],
  ['a/b/c', []],
  [`${DEEP}/k/l`, []],
  [HEX, [HEX]],
  [`x${HEX}`, [HEX]],
  [`libpod-conmon-${HEX}.scope`, [HEX]],
  [`crio-conmon-${HEX}.scope`, [HEX]],
  [`docker-${NB}.scope`, [NB]],
  [`docker/${NB}`, [NB]],
  [`cri-containerd-${NB}.scope`, [NB]],
  [`crio-${NB}.scope`, [NB]],
  [`libpod-${NB}.scope`, [NB]],
  [`kubepods/besteffort/pod${UID}/${NB}`, [NB]],
  [`kubepods.slice/kubepods-pod${U_}.slice/cri-containerd-${NB}.scope`, [NB]],
  [`${DEEP}/docker-${NB}.scope`, [NB]],
];
/** every outer shape runs these; docker cgroupfs (the shape) runs all of NESTED */
const SUBSET = new Set(['a/b/c', `${DEEP}/k/l`, HEX, `docker-${NB}.scope`, `kubepods/besteffort/pod${UID}/${NB}`, `${DEEP}/docker-${NB}.scope`]);

interface Case {
  outer: Outer;
  id: string;
  nested: string;
  ids: string[];
  port: number;
}

const CASES: Case[] = OUTER.flatMap((outer) => {
  const id = containerId(`nest-${outer.name}-${process.pid}`);
  return NESTED.filter(([n]) => outer.name === 'docker cgroupfs' || SUBSET.has(n)).map(([nested, ids]) => ({ outer, id, nested, ids, port: ++port }));
});

const script = (cases: Case[]) =>
  cases.map((c) => `mkdir -p /cg/${c.nested} && echo $$ > /cg/${c.nested}/cgroup.procs && { nc -l -p ${c.port} & sleep 0.2; kill $!; } || echo "case ${c.port} failed" >&2`).join('\n') + '\necho $$ > /cg/cgroup.procs\n';

const hasPort = (e: EcsDoc, p: number) => ((getPath(e, 'process.args') as string[] | undefined) ?? []).includes(String(p));
const short = (s: string) => s.replace(/[0-9a-f]{64}/g, (h) => (h === HEX ? '<hex>' : h === NB ? '<neighbour>' : '<id>'));

describe.skipIf(skipKernel)('nested cgroups cannot hide or re-attribute a container (real runc)', () => {
  let agent: AgentHarness;
  const runs: Array<{ shape: string; exitCode: number | undefined; stderr: string }> = [];

  beforeAll(async () => {
    agent = await startAgentProcess();
    for (const outer of OUTER) {
      const cases = CASES.filter((c) => c.outer === outer);
      const r = await runNestedContainer({ id: cases[0]!.id, cgroupsPath: outer.path(cases[0]!.id), script: script(cases) });
      runs.push({ shape: outer.name, exitCode: r.exitCode, stderr: r.stderr });
    }
    const want = CASES.length;
    const end = Date.now() + 15000;
    while (Date.now() < end && CASES.filter((c) => agent.alerts().some((a) => hasPort(a, c.port) && getPath(a, 'rule.name') === RULE1)).length < want) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120000);

  afterAll(async () => {
    await agent?.stop();
  });

  it('every container ran all of its cases', () => {
    for (const r of runs) expect(r, r.shape).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it.each(CASES.map((c) => [`${c.outer.name} + ${short(c.nested)}`, c] as const))('%s: rule 1 alerts with the outer container.id', (_n, c) => {
    const alert = agent.alerts().find((a) => hasPort(a, c.port) && getPath(a, 'rule.name') === RULE1);
    expect(alert, 'no rule-1 alert').toBeDefined();
    expect(getPath(alert!, 'container.id')).toBe(c.id);
    if (c.outer.runtime) expect(getPath(alert!, 'container.runtime')).toBe(c.outer.runtime);
  });

  it('keeps the nested ids under nightjar.cgroup.nested_ids, never in container.id', () => {
    for (const c of CASES) {
      const ev = agent.events().find((e) => getPath(e, 'event.action') === 'exec' && hasPort(e, c.port));
      expect(ev, short(c.nested)).toBeDefined();
      expect(getPath(ev!, 'container.id'), short(c.nested)).toBe(c.id);
      expect(getPath(ev!, 'nightjar.cgroup.nested_ids'), short(c.nested)).toEqual(c.ids.length ? c.ids : undefined);
    }
  });
});
