// Minimal Debian 12 roots for the systemd and fresh-host tests: built once with debootstrap from
// Debian's packages, cached under /var/cache/nightjar-test by the hash of what goes in, and used
// through a throwaway overlay so every run starts from the same bytes.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { REPO } from './paths.js';

const CACHE = '/var/cache/nightjar-test';
const MIRROR = 'http://deb.debian.org/debian';

/** The cached root with these packages on top of minbase (built on first use). */
export async function debianRoot(include: string[]): Promise<string> {
  const key = createHash('sha256').update(`bookworm minbase ${MIRROR} ${[...include].sort().join(',')}`).digest('hex').slice(0, 12);
  const dir = `${CACHE}/rootfs-${key}`;
  if (existsSync(`${dir}/.complete`)) return dir;
  mkdirSync(CACHE, { recursive: true });
  rmSync(`${dir}.tmp`, { recursive: true, force: true });
  const args = ['--variant=minbase', ...(include.length ? [`--include=${include.join(',')}`] : []), 'bookworm', `${dir}.tmp`, MIRROR];
  const r = await execa('debootstrap', args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`debootstrap ${args.join(' ')} failed:\n${r.all?.slice(-3000)}`);
  writeFileSync(`${dir}.tmp/.complete`, `${args.join(' ')}\n`);
  renameSync(`${dir}.tmp`, dir);
  return dir;
}

export interface Overlay {
  root: string;
  remove(): Promise<void>;
}

/**
 * A writable overlay of a cached root, with what this machine needs to reach its package
 * registries (the proxy CA, /etc/npmrc, apt settings, DNS) and a clean clone of this checkout's
 * HEAD at /root/nightjar: nothing else of the host, and no ../shared beside the clone.
 */
export async function overlayRoot(lower: string): Promise<Overlay> {
  const base = mkdtempSync('/var/tmp/nightjar-root-');
  for (const d of ['upper', 'work', 'merged']) mkdirSync(`${base}/${d}`);
  const root = `${base}/merged`;
  await execa('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${base}/upper,workdir=${base}/work`, root]);
  const cas = '/usr/local/share/ca-certificates';
  if (existsSync(cas)) cpSync(cas, `${root}${cas}`, { recursive: true });
  if (existsSync('/etc/npmrc')) cpSync('/etc/npmrc', `${root}/etc/npmrc`);
  for (const f of existsSync('/etc/apt/apt.conf.d') ? readdirSync('/etc/apt/apt.conf.d') : []) {
    const text = readFileSync(`/etc/apt/apt.conf.d/${f}`, 'utf8');
    if (/Acquire::(https?::)?Proxy|Check-Valid-Until/i.test(text)) writeFileSync(`${root}/etc/apt/apt.conf.d/${f}`, text);
  }
  cpSync('/etc/resolv.conf', `${root}/etc/resolv.conf`, { dereference: true });
  await execa('git', ['clone', '--quiet', '--no-hardlinks', REPO, `${root}/root/nightjar`]);
  return {
    root,
    async remove() {
      const r = await execa('umount', ['-R', root], { reject: false });
      if (r.exitCode !== 0) throw new Error(`umount ${root}: ${r.stderr}`);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface Machine {
  /** pid (in this namespace) of the machine's PID 1 */
  leader: number;
  /** runs bash -c CMD inside the machine (all its namespaces), as root, with a clean environment */
  sh(cmd: string, timeoutMs?: number): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENV = ['HOME=/root', 'LANG=C.UTF-8', 'TERM=dumb', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

/**
 * Boots ROOT under systemd-nspawn with systemd as PID 1 and waits until it is running. The
 * flags give the machine what bpftrace needs: every capability, bpf() and perf_event_open() past
 * nspawn's seccomp filter, tracefs and BTF.
 */
export async function bootMachine(root: string): Promise<Machine> {
  const nspawn = execa('systemd-nspawn', ['--quiet', '--keep-unit', '--register=no', '--capability=all',
    '--system-call-filter=bpf perf_event_open', '--bind=/sys/kernel/tracing', '--bind-ro=/sys/kernel/btf',
    '--console=passive', '-D', root, '-b'], {
    reject: false, stdin: 'ignore', all: true,
    // cgroup v2 only inside: on a hybrid host nspawn mounts the v1 controllers read-only, and
    // runc in the machine could not make a container's cgroups
    env: { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' },
  });
  let leader = 0;
  for (let i = 0; i < 300 && !leader && nspawn.exitCode === null; i++) {
    await sleep(100);
    try {
      const kids = readdirSync(`/proc/${nspawn.pid}/task`).flatMap((t) => readFileSync(`/proc/${nspawn.pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
      const init = kids.map(Number).find((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim() === 'systemd');
      if (init) leader = init;
    } catch { /* not started yet */ }
  }
  if (!leader) {
    nspawn.kill('SIGKILL');
    throw new Error(`systemd-nspawn did not boot ${root}: ${(await nspawn).all}`);
  }
  const sh: Machine['sh'] = async (cmd, timeoutMs = 600_000) => {
    const r = await execa('nsenter', ['-t', String(leader), '-a', '/usr/bin/env', '-i', ...ENV, '/bin/bash', '-c', cmd],
      { reject: false, stdin: 'ignore', timeout: timeoutMs });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
  // systemd has not opened its bus the moment it runs as PID 1
  let state = await sh('systemctl is-system-running --wait', 120_000);
  for (let i = 0; i < 100 && state.stderr.includes('Failed to connect to bus'); i++) {
    await sleep(200);
    state = await sh('systemctl is-system-running --wait', 120_000);
  }
  if (!['running', 'degraded'].includes(state.stdout.trim())) throw new Error(`machine state: ${state.stdout} ${state.stderr}`);
  return {
    leader,
    sh,
    async stop() {
      // SIGTERM: nspawn asks the machine's systemd to power off
      nspawn.kill('SIGTERM');
      const done = await Promise.race([nspawn.then(() => true), sleep(60_000).then(() => false)]);
      if (!done) nspawn.kill('SIGKILL');
      await nspawn;
    },
  };
}
