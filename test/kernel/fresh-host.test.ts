// The README's two commands, exactly as written, as a new user runs them: a debootstrap minbase
// Debian 12 (no node, no bpftrace, no ../shared) on this host's kernel (/proc, /sys with cgroups
// and tracefs, /dev), a clean clone. ./install.sh runs the agent in the foreground (no systemd
// there), then the test command passes inside. NIGHTJAR_TEST_ROOT stops the recursion.

import { readFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianRoot, overlayRoot, type Overlay } from '../helpers/debian-root.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { REPO } from '../helpers/paths.js';

const nested = process.env.NIGHTJAR_TEST_ROOT !== undefined;
const commands = [...readFileSync(`${REPO}/README.md`, 'utf8').matchAll(/^```sh\n([^\n]+)\n```$/gm)].map((m) => m[1]!);

// A private mount namespace: the host's kernel views bound in, an empty /run as on any boot, and
// the root made its / with pivot_root, not chroot (under a chroot runc cannot pivot_root, and
// `runc exec` then lands in the host's filesystem).
const ENTER = `set -e; r=$1; shift
mount --rbind /proc "$r/proc"; mount --rbind /sys "$r/sys"; mount --rbind /dev "$r/dev"
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mkdir -p "$r/.host"; cd "$r"; pivot_root . .host; umount -l /.host; rmdir /.host
exec /usr/bin/env -i "$@" /bin/bash -c 'cd /root/nightjar && exec '"$NIGHTJAR_CMD"`;
const pass = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`);
const ENV = ['HOME=/root', 'LANG=C.UTF-8', 'TERM=dumb', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NIGHTJAR_TEST_ROOT=fresh-host', ...pass];

describe.skipIf(skipKernel || nested)('a fresh Debian 12 host: the README\'s two commands', () => {
  let overlay: Overlay;
  const inRoot = (cmd: string, timeout: number): ResultPromise =>
    execa('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', ENTER, 'enter', overlay.root, ...ENV],
      { env: { NIGHTJAR_CMD: cmd }, reject: false, all: true, stdin: 'ignore', detached: true, timeout, buffer: true });

  beforeAll(async () => {
    overlay = await overlayRoot(await debianRoot([]));
  }, 900_000);

  afterAll(async () => {
    await overlay?.remove();
  }, 120_000);

  it('the README gives ./install.sh and then the test command', () => {
    expect(commands).toEqual(['./install.sh', './test/setup-and-run.sh']);
  });

  it('./install.sh brings its runtime and runs the agent in the foreground', async () => {
    const run = inRoot(commands[0]!, 900_000);
    let out = '';
    const ready = new Promise<void>((resolve) => run.all!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"msg":"ready"')) resolve();
    }));
    await Promise.race([ready, run]);
    process.kill(-run.pid!, 'SIGTERM');
    const r = await run;
    expect(out, String(r.all)).toContain('"msg":"ready"');
    expect(out).toContain('installing a pinned Node.js for nightjar alone in /opt/nightjar/runtime');
    expect(out).toContain('systemd is not running here (no /run/systemd/system): no service installed');
    expect(out).toContain('"msg":"stopped"');
  }, 900_000);

  it('the test command passes inside it', async () => {
    const r = await inRoot(commands[1]!, 3_600_000);
    const all = String(r.all);
    const m = [...all.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
    expect(m, all.slice(-20000)).toBeDefined();
    expect(Number(m![2]), all.slice(-20000)).toBe(0);
    expect(Number(m![1])).toBeGreaterThan(100);
    expect(r.exitCode).toBe(0);
  }, 3_600_000);
});
