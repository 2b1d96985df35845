// Issue 18: nested cgroups made inside a container never hide it or name another container.
// Paths classified from the root, and G records assembled by the resolver as the probe prints them.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { classifyCgroupPath, classifyCgroupSegments } from '../../src/container/cgroup-path.js';
import { ContainerResolver } from '../../src/container/container-resolver.js';
import { Counters } from '../../src/util/counters.js';

const ID = 'a'.repeat(60) + '1234';
const NB = 'b'.repeat(64);
const HEX = 'e'.repeat(64);
const UID = '3b2c9c6e-1f2a-4c1b-9d3e-5f6a7b8c9d0e';
const U_ = UID.replaceAll('-', '_');
const UID2 = '0f0e0d0c-0b0a-4908-8706-050403020100';
const U2_ = UID2.replaceAll('-', '_');
const DEEP = Array.from({ length: 100 }, (_, i) => `l${i}`).join('/');

const verdict = (path: string) => {
  const v = classifyCgroupPath(path);
  return v.kind === 'container' ? v.container : v.kind;
};

interface Outer {
  path: string;
  want: { id: string; runtime: string | undefined; podUid?: string; qos?: string };
}

const OUTER: Record<string, Outer> = {
  'docker cgroupfs': { path: `/docker/${ID}`, want: { id: ID, runtime: 'docker' } },
  'docker systemd': { path: `/system.slice/docker-${ID}.scope`, want: { id: ID, runtime: 'docker' } },
  'kubernetes cgroupfs besteffort': { path: `/kubepods/besteffort/pod${UID}/${ID}`, want: { id: ID, runtime: undefined, podUid: UID, qos: 'besteffort' } },
  'kubernetes cgroupfs guaranteed': { path: `/kubepods/pod${UID}/${ID}`, want: { id: ID, runtime: undefined, podUid: UID, qos: 'guaranteed' } },
  'containerd systemd': { path: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U_}.slice/cri-containerd-${ID}.scope`, want: { id: ID, runtime: 'containerd', podUid: UID, qos: 'burstable' } },
  'cri-o systemd': { path: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${U_}.slice/crio-${ID}.scope`, want: { id: ID, runtime: 'cri-o', podUid: UID, qos: 'besteffort' } },
  'podman rootful': { path: `/machine.slice/libpod-${ID}.scope`, want: { id: ID, runtime: 'podman' } },
  'podman rootless': { path: `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`, want: { id: ID, runtime: 'podman' } },
  'podman cgroupfs': { path: `/libpod_parent/${ID}`, want: { id: ID, runtime: 'podman' } },
};

/** nested path below the container's cgroup -> the ids it must be reported with */
const NESTED: Array<[string, string, string[]]> = [
  // the table
  ['evil', 'evil', []],
  ['two levels', 'a/b', []],
  ['a systemd-like slice', 'system.slice', []],
  ['three levels', 'a/b/c', []],
  ['a bare 64-hex id', HEX, [HEX]],
  ['x + 64 hex', `x${HEX}`, [HEX]],
  ['a podman monitor scope', `libpod-conmon-${HEX}.scope`, [HEX]],
  ['another docker container', `docker-${NB}.scope`, [NB]],
  // more shapes
  ['100 levels', DEEP, []],
  ['an id 100 levels down', `${DEEP}/docker-${NB}.scope`, [NB]],
  ['a CRI-O monitor scope', `crio-conmon-${HEX}.scope`, [HEX]],
  ['docker cgroupfs shape', `docker/${NB}`, [NB]],
  ['containerd shape', `cri-containerd-${NB}.scope`, [NB]],
  ['cri-o shape', `crio-${NB}.scope`, [NB]],
  ['podman shape', `libpod-${NB}.scope`, [NB]],
  ['podman cgroupfs shape', `libpod_parent/${NB}`, [NB]],
  ['kubernetes cgroupfs pod path', `kubepods/besteffort/pod${UID2}/${NB}`, [NB]],
  ['kubernetes systemd pod path', `kubepods.slice/kubepods-pod${U2_}.slice/cri-containerd-${NB}.scope`, [NB]],
  ['podman rootless shape', `user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${NB}.scope`, [NB]],
  ['two ids', `docker-${NB}.scope/${HEX}/docker/${NB}`, [NB, HEX]],
  ['its own id again', `docker-${ID}.scope`, [ID]],
  ['systemd in the container', 'init.scope', []],
];

describe('nested cgroups: the outermost container wins', () => {
  for (const [outerName, outer] of Object.entries(OUTER)) {
    it.each(NESTED)(`${outerName} + %s`, (_n, nested, ids) => {
      const want = { ...outer.want, ...(ids.length ? { nestedIds: ids } : {}) };
      expect(verdict(`${outer.path}/${nested}`)).toEqual(want);
    });
  }

  it('keeps the shape of every runtime alone, without nested ids', () => {
    for (const outer of Object.values(OUTER)) expect(verdict(outer.path)).toEqual(outer.want);
  });

  it('takes the pod from above the container, never from a pod path made inside it', () => {
    const v = verdict(`/kubepods/pod${UID}/${ID}/kubepods/burstable/pod${UID2}/${NB}`);
    expect(v).toEqual({ id: ID, runtime: undefined, podUid: UID, qos: 'guaranteed', nestedIds: [NB] });
    expect(verdict(`/docker/${ID}/kubepods/burstable/pod${UID2}/${NB}`)).toEqual({ id: ID, runtime: 'docker', nestedIds: [NB] });
  });

  it('bounds the nested ids it keeps', () => {
    const many = Array.from({ length: 20 }, (_, i) => i.toString(16).padStart(64, '0')).join('/');
    expect((verdict(`/docker/${ID}/${many}`) as { nestedIds: string[] }).nestedIds).toHaveLength(8);
  });

  it('a runtime helper at the container level stays excluded, whatever is nested below it', () => {
    expect(verdict(`/machine.slice/libpod-conmon-${ID}.scope/docker-${NB}.scope`)).toBe('excluded');
  });

  it('an unknown id-shaped segment above any container stays unrecognized, not a nested container', () => {
    expect(verdict(`/weird/runtime-${ID}/docker-${NB}.scope`)).toBe('unrecognized');
    expect(verdict(`/somewhere/${ID}/docker/${NB}`)).toBe('unrecognized');
  });

  it('after a hole in the path, only what precedes the hole can be the container', () => {
    const head = ['docker', ID, 'a', 'b', 'c', 'd', 'e', 'f'];
    expect(classifyCgroupSegments([...head, `docker-${NB}.scope`], 8)).toEqual({ kind: 'container', container: { id: ID, runtime: 'docker', nestedIds: [NB] } });
    const hostHead = ['system.slice', 'a', 'b', 'c', 'd', 'e', 'f', 'g'];
    expect(classifyCgroupSegments([...hostHead, `docker-${NB}.scope`], 8)).toEqual({ kind: 'unrecognized' });
    expect(classifyCgroupSegments([...hostHead, 'leaf'], 8)).toEqual({ kind: 'host' });
  });
});

/** The G records the probe prints for a cgroup at `path`: depths 1..8 from the root, then its own name. */
function gRecords(path: string): Array<[number, string]> {
  const segs = path.split('/').filter(Boolean);
  const level = segs.length;
  const out: Array<[number, string]> = [];
  for (let d = 1; d <= 8 && d < level; d++) out.push([level - d, segs[d - 1]!]);
  out.push([0, segs[level - 1] ?? '']);
  return out;
}

describe('resolver: G records from the root down', () => {
  const resolver = () => {
    const counters = new Counters();
    // an empty host root: no runtime state, the path alone decides
    return { r: new ContainerResolver(mkdtempSync(`${tmpdir()}/nightjar-hostroot-`), counters), counters };
  };
  const feed = (r: ContainerResolver, id: string, path: string) => {
    for (const [level, name] of gRecords(path)) r.addName(id, level, name);
  };

  it.each([
    ['the issue: three levels under docker', `/docker/${ID}/a/b/c`, []],
    ['a bare id under docker', `/docker/${ID}/${HEX}`, [HEX]],
    ['a neighbour under docker', `/docker/${ID}/docker-${NB}.scope`, [NB]],
    ['a neighbour 100 levels down (past the printed levels)', `/docker/${ID}/${DEEP}/docker-${NB}.scope`, [NB]],
    ['a pod path in a containerd container', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U_}.slice/cri-containerd-${ID}.scope/kubepods/pod${UID2}/${NB}`, [NB]],
    ['rootless podman nested 3 deep', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/a/b/${HEX}`, [HEX]],
  ])('%s', (_n, path, ids) => {
    const { r } = resolver();
    feed(r, '7055', path);
    const f = r.resolve('7055');
    expect(f?.container.id).toBe(ID);
    expect(f?.nightjar).toEqual(ids.length ? { cgroup: { nested_ids: ids } } : undefined);
  });

  it('keeps every shape that worked with the leaf-side records', () => {
    for (const outer of Object.values(OUTER)) {
      const { r } = resolver();
      feed(r, '42', outer.path);
      const f = r.resolve('42');
      expect(f?.container.id).toBe(outer.want.id);
      if (outer.want.runtime) expect(f?.container.runtime).toBe(outer.want.runtime);
      if (outer.want.podUid) expect((f?.orchestrator?.resource as { id?: string }).id).toBe(outer.want.podUid);
      expect(f?.nightjar).toBeUndefined();
    }
  });

  it('host cgroups (root, level 1, deep) get no fields; a hole before any id is unrecognized', () => {
    const { r, counters } = resolver();
    feed(r, '1', '/');
    feed(r, '2', '/init.scope');
    feed(r, '3', `/system.slice/${DEEP}`);
    for (const id of ['1', '2', '3']) expect(r.resolve(id)).toBeUndefined();
    feed(r, '4', `/system.slice/${DEEP}/docker-${NB}.scope`);
    expect(r.resolve('4')).toBeUndefined();
    expect(counters.get('cgroup_unrecognized')).toBe(1);
  });

  it('ignores bad levels and bounds the names kept per cgroup', () => {
    const { r } = resolver();
    r.addName('9', -1, 'x');
    r.addName('9', 1.5, 'x');
    r.addName('9', 2 ** 40, 'x');
    for (let l = 100; l < 200; l++) r.addName('9', l, `n${l}`);
    feed(r, '9', `/docker/${ID}`);
    // a flood of records fills the bound: no crash, no growth, and never a wrong container
    expect(r.resolve('9')).toBeUndefined();
  });
});
