// Cgroup paths of every runtime shape -> container context (fixture strings).

import { describe, expect, it } from 'vitest';
import { classifyCgroupPath } from '../../src/container/cgroup-path.js';

const ID = 'a'.repeat(60) + '1234';
const ID2 = 'b'.repeat(64);
const UID = '3b2c9c6e-1f2a-4c1b-9d3e-5f6a7b8c9d0e';
const U_ = UID.replaceAll('-', '_');

const container = (path: string) => {
  const v = classifyCgroupPath(path);
  return v.kind === 'container' ? v.container : v.kind;
};

describe('cgroup path -> container', () => {
  it.each([
    ['docker cgroupfs', `/docker/${ID}`, { id: ID, runtime: 'docker' }],
    ['docker systemd', `/system.slice/docker-${ID}.scope`, { id: ID, runtime: 'docker' }],
    ['containerd cgroupfs besteffort', `/kubepods/besteffort/pod${UID}/${ID}`, { id: ID, runtime: undefined, podUid: UID, qos: 'besteffort' }],
    ['containerd cgroupfs burstable', `/kubepods/burstable/pod${UID}/${ID}`, { id: ID, podUid: UID, qos: 'burstable' }],
    ['containerd cgroupfs guaranteed', `/kubepods/pod${UID}/${ID}`, { id: ID, podUid: UID, qos: 'guaranteed' }],
    ['containerd systemd', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${U_}.slice/cri-containerd-${ID}.scope`, { id: ID, runtime: 'containerd', podUid: UID, qos: 'burstable' }],
    ['containerd systemd guaranteed', `/kubepods.slice/kubepods-pod${U_}.slice/cri-containerd-${ID}.scope`, { id: ID, runtime: 'containerd', podUid: UID, qos: 'guaranteed' }],
    ['cri-o', `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${U_}.slice/crio-${ID}.scope`, { id: ID, runtime: 'cri-o', podUid: UID, qos: 'besteffort' }],
    ['podman rootful', `/machine.slice/libpod-${ID}.scope`, { id: ID, runtime: 'podman' }],
    ['podman with inner cgroup', `/machine.slice/libpod-${ID}.scope/container`, { id: ID, runtime: 'podman' }],
    ['podman rootless', `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`, { id: ID, runtime: 'podman' }],
    // the outermost container wins (issue 18): what a container nests is reported, never its id
    ['nested docker in docker', `/docker/${ID2}/docker/${ID}`, { id: ID2, runtime: 'docker', nestedIds: [ID] }],
    ['kind: kubernetes in docker', `/docker/${ID2}/kubepods/besteffort/pod${UID}/${ID}`, { id: ID2, runtime: 'docker', nestedIds: [ID] }],
    ['partial path (last four names)', `kubepods/besteffort/pod${UID}/${ID}`, { id: ID, podUid: UID, qos: 'besteffort' }],
  ])('%s', (_n, path, want) => {
    expect(container(path)).toMatchObject(want);
  });

  it('is not fooled by runtime helpers and host cgroups', () => {
    expect(container(`/machine.slice/libpod-conmon-${ID}.scope`)).toBe('excluded');
    expect(container(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${U_}.slice/crio-conmon-${ID}.scope`)).toBe('excluded');
    for (const p of ['/', '', '/system.slice/ssh.service', '/user.slice/user-0.slice/session-3.scope', '/init.scope']) expect(container(p)).toBe('host');
  });

  it('flags container-like paths it cannot read', () => {
    expect(container(`/weird/runtime-${ID}`)).toBe('unrecognized');
    expect(container(`/somewhere/${ID}`)).toBe('unrecognized');
  });
});
