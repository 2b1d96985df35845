// Real runc containers for kernel tests: a busybox-static rootfs shared read-only by all,
// one bundle per container with the cgroupsPath and annotations under test.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';

const APPLETS = ['sh', 'true', 'nc', 'sleep', 'kill', 'echo', 'cat', 'seq'];
let rootfs: string | undefined;

function busyboxRootfs(): string {
  if (rootfs) return rootfs;
  const dir = mkdtempSync(`${tmpdir()}/nightjar-rootfs-`);
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc']) mkdirSync(`${dir}/${d}`);
  copyFileSync('/bin/busybox', `${dir}/bin/busybox`);
  for (const a of APPLETS) symlinkSync('busybox', `${dir}/bin/${a}`);
  rootfs = dir;
  return dir;
}

export const containerId = (seed: string) =>
  [...Buffer.from(seed.padEnd(32, '.'))].slice(0, 32).map((b) => b.toString(16).padStart(2, '0')).join('');

export interface ContainerSpec {
  id: string;
  cgroupsPath: string;
  args: string[];
  annotations?: Record<string, string>;
  /** the host's /usr and /etc bind-mounted read-only: real netcat-openbsd, ncat ... */
  hostRootfs?: boolean;
  /** extra capabilities (CAP_NET_BIND_SERVICE is not given by default) */
  caps?: string[];
}

let hostfs: string | undefined;
function hostRootfs(): string {
  if (hostfs) return hostfs;
  const dir = mkdtempSync(`${tmpdir()}/nightjar-hostfs-`);
  for (const d of ['usr', 'etc', 'proc', 'dev', 'sys', 'tmp']) mkdirSync(`${dir}/${d}`);
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${l}`, `${dir}/${l}`);
  hostfs = dir;
  return dir;
}

function config(spec: ContainerSpec, root: string): object {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false, user: { uid: 0, gid: 0 }, args: spec.args, cwd: '/',
      env: ['PATH=/bin', 'HOME=/'],
      capabilities: Object.fromEntries(['bounding', 'effective', 'permitted'].map((k) => [k, ['CAP_KILL', 'CAP_SETUID', 'CAP_SETGID', ...(spec.caps ?? [])]])),
      noNewPrivileges: true,
    },
    root: { path: root, readonly: true },
    hostname: 'ctr',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
      ...(spec.hostRootfs ? ['/usr', '/etc'].map((d) => ({ destination: d, source: d, type: 'bind', options: ['rbind', 'ro'] })) : []),
    ],
    annotations: spec.annotations ?? {},
    linux: {
      cgroupsPath: spec.cgroupsPath,
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'],
    },
  };
}

/** Runs a container to completion (runc run), returning its output. */
export async function runContainer(spec: ContainerSpec): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const bundle = mkdtempSync(`${tmpdir()}/nightjar-bundle-`);
  writeFileSync(`${bundle}/config.json`, JSON.stringify(config(spec, spec.hostRootfs ? hostRootfs() : busyboxRootfs())));
  try {
    return await runBundle(bundle, spec.id);
  } finally {
    rmSync(bundle, { recursive: true, force: true });
  }
}

/** `runc run` of a written bundle to completion, then `runc delete` (the bundle stays). */
export async function runBundle(bundle: string, id: string): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  try {
    const r = await execa('runc', ['run', '--bundle', bundle, id], { reject: false, stdin: 'ignore', timeout: 60000 });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  } finally {
    await execa('runc', ['delete', '--force', id], { reject: false });
  }
}
