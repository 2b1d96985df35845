// install.sh in a scratch root (NIGHTJAR_ROOT): twice is fine, an edited config survives,
// --uninstall keeps config, state and logs, --purge removes them. Needs root (file modes).
// packaging/install-runtime.sh refuses a tarball whose sha512 is not the pinned one.

import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { REPO } from '../helpers/paths.js';

const asRoot = process.getuid?.() === 0;

describe.skipIf(!asRoot && process.env.CI !== 'true')('install.sh', () => {
  it('installs idempotently, keeps an edited config, uninstalls and purges', async () => {
    const root = mkdtempSync(`${tmpdir()}/nightjar-root-`);
    const run = (...args: string[]) => execa('bash', [`${REPO}/install.sh`, '--no-build', '--no-start', ...args], { env: { NIGHTJAR_ROOT: root }, reject: false });
    const first = await run();
    expect(first.exitCode, first.stderr).toBe(0);
    const config = `${root}/etc/nightjar/config.yaml`;
    expect(() => parseConfig(readFileSync(config, 'utf8'), config)).not.toThrow();
    writeFileSync(config, '# edited\nstate_dir: /srv/nightjar\n');
    writeFileSync(`${root}/var/log/nightjar/alerts.ndjson`, '{}\n');
    const second = await run();
    expect(second.exitCode, second.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe('# edited\nstate_dir: /srv/nightjar\n');
    const version = await execa(`${root}/usr/local/bin/nightjar`, ['--version']);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    // this host's node is recent enough: the launcher names it, and no runtime of our own is installed
    expect(lstatSync(`${root}/usr/local/bin/nightjar`).isSymbolicLink()).toBe(false);
    const node = (await execa('sh', ['-c', 'command -v node'])).stdout;
    expect(readFileSync(`${root}/usr/local/bin/nightjar`, 'utf8')).toContain(`exec "${node}" "${root}/opt/nightjar/dist/cli/main.js" "$@"`);
    expect(existsSync(`${root}/opt/nightjar/runtime`)).toBe(false);

    expect((await run('--uninstall')).exitCode).toBe(0);
    expect(existsSync(`${root}/opt/nightjar`)).toBe(false);
    expect(existsSync(`${root}/usr/local/bin/nightjar`)).toBe(false);
    expect(existsSync(config)).toBe(true);
    expect(existsSync(`${root}/var/log/nightjar/alerts.ndjson`)).toBe(true);
    expect(existsSync(`${root}/var/lib/nightjar`)).toBe(true);

    expect((await run('--purge')).exitCode).toBe(0);
    for (const p of ['etc/nightjar', 'var/lib/nightjar', 'var/log/nightjar', 'opt/nightjar']) expect(existsSync(`${root}/${p}`)).toBe(false);
  }, 120_000);
});

describe('install-runtime.sh', () => {
  const script = `${REPO}/packaging/install-runtime.sh`;

  it('says the host is not enough when no node is on PATH', async () => {
    const r = await execa('/bin/bash', [script, '--host-ok'], { env: { PATH: mkdtempSync(`${tmpdir()}/nightjar-empty-`) }, reject: false, extendEnv: false });
    expect(r.exitCode).toBe(1);
  });

  it('refuses a tarball whose sha512 is not the pinned one and leaves nothing behind', async () => {
    const server = createServer((_, res) => res.end('not node'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const dir = `${mkdtempSync(`${tmpdir()}/nightjar-runtime-`)}/runtime`;
      const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await execa('bash', [script, dir], { env: { npm_config_registry: registry }, reject: false });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/node-linux-(x64|arm64)-\d+\.\d+\.\d+\.tgz: sha512 differs from the pinned one/);
      expect([existsSync(dir), existsSync(`${dir}.new`)]).toEqual([false, false]);
    } finally {
      server.close();
    }
  });
});
