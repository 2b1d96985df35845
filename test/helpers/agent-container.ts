// Runs the agent inside a runc container the way the Kubernetes DaemonSet does: its own
// pid/mount/uts namespaces and image (/etc with another os-release and hostname), the host's
// network, /proc, /sys/fs/cgroup and /etc mounted under /host, CAP_BPF + CAP_PERFMON + the
// /proc readers, and --host-root /host.

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Launcher } from './agent-harness.js';
import { REPO } from './paths.js';

// CAP_SYS_ADMIN: bpftrace 0.17 finds kernel BTF through bpf(BPF_BTF_GET_NEXT_ID), which
// needs it; with CAP_BPF + CAP_PERFMON alone it fails on 'struct task_struct' (measured).
// CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH: reading other processes' /proc/PID/exe and files.
export const AGENT_CAPS = ['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH', 'CAP_KILL'];

const bind = (source: string, destination: string, ro = true) => ({
  destination, source, type: 'bind', options: ['rbind', ro ? 'ro' : 'rw'],
});

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
        args: ['/usr/bin/node', `${REPO}/bin/nightjar`, ...agentArgs, '--host-root', '/host'],
        env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/tmp'],
        capabilities: caps, noNewPrivileges: true,
      },
      root: { path: rootfs, readonly: true },
      hostname: 'agent-pod',
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=1777'] },
        bind('/usr', '/usr'),
        bind('/sys', '/sys', false),
        bind('/proc', '/host/proc'),
        bind('/sys/fs/cgroup', '/host/sys/fs/cgroup'),
        bind('/etc', '/host/etc'),
        bind('/usr/lib/os-release', '/host/usr/lib/os-release'),
        bind('/run', '/host/run'),
        bind(REPO, REPO),
        bind(dir, dir, false),
      ],
      linux: {
        namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
        cgroupsPath: `/nightjar-test/${id}`,
      },
    }));
    return { file: 'runc', args: ['run', '--bundle', bundle, id] };
  };
}
