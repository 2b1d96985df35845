// Runs the agent inside a runc container the way packaging/kubernetes/daemonset.yaml runs it:
// the capabilities, host PID setting and hostPath mounts are read from that manifest, so the
// test follows the manifest. The image is stood in for by a rootfs with its own /etc (another
// os-release and hostname) and the host's /usr (node, bpftrace) and the repository.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import type { Launcher } from './agent-harness.js';
import { REPO } from './paths.js';

interface Mount { name: string; mountPath: string; readOnly?: boolean }
interface Volume { name: string; hostPath?: { path: string; type?: string } }
interface PodSpec {
  hostPID?: boolean;
  containers: { securityContext: { capabilities: { add: string[] } }; volumeMounts: Mount[] }[];
  volumes: Volume[];
}

export const DAEMONSET_POD = (parse(readFileSync(`${REPO}/packaging/kubernetes/daemonset.yaml`, 'utf8')) as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
export const AGENT_CAPS = DAEMONSET_POD.containers[0]!.securityContext.capabilities.add.map((c) => `CAP_${c}`);

const bind = (source: string, destination: string, ro = true) => ({
  destination, source, type: 'bind', options: ['rbind', ro ? 'ro' : 'rw'],
});

/** The manifest's hostPath mounts, created on the host first where kubelet would create them. */
function hostPathMounts(): ReturnType<typeof bind>[] {
  const volumes = new Map(DAEMONSET_POD.volumes.map((v) => [v.name, v]));
  return DAEMONSET_POD.containers[0]!.volumeMounts.flatMap((m) => {
    const hp = volumes.get(m.name)?.hostPath;
    if (!hp) return [];
    if (hp.type === 'DirectoryOrCreate') mkdirSync(hp.path, { recursive: true });
    if (hp.type === 'FileOrCreate' && !existsSync(hp.path)) writeFileSync(hp.path, '');
    return [bind(hp.path, m.mountPath, m.readOnly === true)];
  });
}

export function agentContainerLauncher(id: string): Launcher {
  return (dir, agentArgs) => {
    const rootfs = mkdtempSync(`${tmpdir()}/nightjar-agent-rootfs-`);
    for (const d of ['usr', 'etc', 'proc', 'sys', 'dev', 'tmp', 'host', 'run']) mkdirSync(`${rootfs}/${d}`);
    for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, `${rootfs}/${l}`);
    // the image's own /etc: not the host's
    writeFileSync(`${rootfs}/etc/os-release`, 'NAME="Image OS"\nID=imageos\nVERSION_ID="0.1"\nPRETTY_NAME="Image OS 0.1"\n');
    writeFileSync(`${rootfs}/etc/hostname`, 'agent-pod\n');
    writeFileSync(`${rootfs}/etc/machine-id`, '00000000000000000000000000000000\n');
    copyFileSync('/etc/ld.so.cache', `${rootfs}/etc/ld.so.cache`);
    copyFileSync('/etc/passwd', `${rootfs}/etc/passwd`);
    const bundle = mkdtempSync(`${tmpdir()}/nightjar-agent-bundle-`);
    const caps = Object.fromEntries(['bounding', 'effective', 'permitted'].map((k) => [k, AGENT_CAPS]));
    writeFileSync(`${bundle}/config.json`, JSON.stringify({
      ociVersion: '1.0.2',
      process: {
        terminal: false, user: { uid: 0, gid: 0 }, cwd: '/',
        args: [process.execPath, `${REPO}/bin/nightjar`, ...agentArgs, '--host-root', '/host'],
        env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp'],
        capabilities: caps, noNewPrivileges: true,
      },
      root: { path: rootfs, readonly: true },
      hostname: 'agent-pod',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=1777'] },
        // what a container runtime gives an unprivileged container: sysfs, read-only
        { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
        bind('/usr', '/usr'),
        // the node running the tests, wherever it is (a fresh host has the pinned one outside /usr)
        ...(process.execPath.startsWith('/usr/') ? [] : [bind(dirname(process.execPath), dirname(process.execPath))]),
        ...hostPathMounts(),
        bind(REPO, REPO),
        bind(dir, dir, false),
      ],
      linux: {
        namespaces: [...(DAEMONSET_POD.hostPID ? [] : [{ type: 'pid' }]), { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
        cgroupsPath: `/nightjar-test/${id}`,
      },
    }));
    return { file: 'runc', args: ['run', '--bundle', bundle, id] };
  };
}
