// Real runc containers whose own cgroup v2 directory is bind-mounted writable at /cg, so the
// script inside can make nested cgroups and move itself into them (as a privileged pod can).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runBundle } from './runc.js';

const APPLETS = ['sh', 'mkdir', 'nc', 'sleep', 'cat', 'true'];
let rootfs: string | undefined;

function busyboxRootfs(): string {
  if (rootfs) return rootfs;
  const dir = mkdtempSync(`${tmpdir()}/nightjar-nested-rootfs-`);
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc', 'cg']) mkdirSync(`${dir}/${d}`);
  copyFileSync('/bin/busybox', `${dir}/bin/busybox`);
  for (const a of APPLETS) symlinkSync('busybox', `${dir}/bin/${a}`);
  rootfs = dir;
  return dir;
}

/** The host's cgroup2 mount (/sys/fs/cgroup on v2, /sys/fs/cgroup/unified on hybrid). */
export function cgroup2Root(): string {
  const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2');
  if (!line) throw new Error('no cgroup2 mount');
  return line[1]!;
}

/** Removes a cgroup directory and everything below it, deepest first (cgroupfs allows only rmdir). */
function rmCgroupTree(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const e of entries) rmCgroupTree(`${dir}/${e}`);
  try {
    rmdirSync(dir);
  } catch {
    /* still populated or already gone */
  }
}

export interface NestedSpec {
  id: string;
  /** the container's cgroup as the runtime creates it, e.g. /docker/<id> */
  cgroupsPath: string;
  /** shell script run by busybox sh; /cg is the container's own cgroup, writable */
  script: string;
}

/** Runs `sh -c script` in a container to completion; cleans up its cgroup tree afterwards. */
export async function runNestedContainer(spec: NestedSpec): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const cg = `${cgroup2Root()}${spec.cgroupsPath}`;
  const created = spec.cgroupsPath.split('/').filter(Boolean).map((_s, i, a) => `${cgroup2Root()}/${a.slice(0, i + 1).join('/')}`).filter((d) => !existsSync(d));
  // made before runc so that the bind mount has a source; runc uses it as it is
  mkdirSync(cg, { recursive: true });
  const bundle = mkdtempSync(`${tmpdir()}/nightjar-nested-bundle-`);
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false, user: { uid: 0, gid: 0 }, args: ['sh', '-c', spec.script], cwd: '/',
      env: ['PATH=/bin', 'HOME=/'],
      capabilities: Object.fromEntries(['bounding', 'effective', 'permitted'].map((k) => [k, ['CAP_KILL']])),
      noNewPrivileges: true,
    },
    root: { path: busyboxRootfs(), readonly: true },
    hostname: 'nested',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] },
      { destination: '/cg', type: 'bind', source: cg, options: ['rbind', 'rw'] },
    ],
    linux: {
      cgroupsPath: spec.cgroupsPath,
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'],
    },
  };
  writeFileSync(`${bundle}/config.json`, JSON.stringify(config));
  try {
    return await runBundle(bundle, spec.id);
  } finally {
    rmSync(bundle, { recursive: true, force: true });
    rmCgroupTree(cg);
    for (const d of created.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* in use by another cgroup, or already gone */
      }
    }
  }
}
