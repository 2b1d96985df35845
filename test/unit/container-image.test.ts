// packaging/docker/Dockerfile: what it copies exists, it uses the base, runtime, bpftrace and init
// the design names, and the production-only tree it ships (npm prune --omit=dev) runs.

import { cpSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const dockerfile = readFileSync(`${REPO}/packaging/docker/Dockerfile`, 'utf8');

describe('container image', () => {
  it('bookworm slim, install.sh\'s pinned runtime, Debian bpftrace, tini as PID 1, every COPY source present', () => {
    expect(dockerfile.match(/^FROM (\S+)/gm)).toEqual(['FROM debian:bookworm-slim', 'FROM debian:bookworm-slim']);
    expect(dockerfile).toMatch(/^RUN \/tmp\/install-runtime\.sh \/opt\/nightjar\/runtime$/m);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^ENV PATH=\/opt\/nightjar\/runtime\/bin:\$PATH$/m);
    expect(final).toContain('COPY --from=build /opt/nightjar/runtime/bin/node ./runtime/bin/node');
    expect(dockerfile).toMatch(/apt-get install .*bpftrace tini/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "nightjar"\]$/m);
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    expect(sources.length).toBeGreaterThan(5);
    for (const s of sources) expect(existsSync(`${REPO}/${s}`), s).toBe(true);
  });

  it('the production-only tree it ships runs the CLI (no dev dependency needed at run time)', async () => {
    const dir = mkdtempSync(`${tmpdir()}/nightjar-image-`);
    for (const p of ['package.json', 'package-lock.json', 'dist', 'bin', 'probes', 'rules']) cpSync(`${REPO}/${p}`, `${dir}/${p}`, { recursive: true });
    const ci = await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, reject: false });
    expect(ci.exitCode, ci.stderr).toBe(0);
    expect(existsSync(`${dir}/node_modules/vitest`)).toBe(false);
    const nj = (args: string[]) => execa('node', [`${dir}/bin/nightjar`, ...args], { reject: false, env: { NIGHTJAR_HOST_ROOT: '/host' } });
    expect((await nj(['--version'])).exitCode).toBe(0);
    const rules = await nj(['rules', 'check', `${dir}/rules`]);
    expect(rules.stdout).toMatch(/2 rule\(s\) valid, 0 error/);
    const cfg = await nj(['config', 'print', '--config', `${REPO}/packaging/config.yaml`]);
    expect(cfg.stdout).toContain('host_root: /host');
  }, 120_000);
});
