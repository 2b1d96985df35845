// install.sh in a scratch root (NIGHTJAR_ROOT): twice is fine, an edited config survives,
// --uninstall keeps config, state and logs, --purge removes them. Needs root (file modes).

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

    expect((await run('--uninstall')).exitCode).toBe(0);
    expect(existsSync(`${root}/opt/nightjar`)).toBe(false);
    expect(existsSync(`${root}/usr/local/bin/nightjar`)).toBe(false);
    expect(existsSync(config)).toBe(true);
    expect(existsSync(`${root}/var/log/nightjar/alerts.ndjson`)).toBe(true);
    expect(existsSync(`${root}/var/lib/nightjar`)).toBe(true);

    expect((await run('--purge')).exitCode).toBe(0);
    for (const p of ['etc/nightjar', 'var/lib/nightjar', 'var/log/nightjar', 'opt/nightjar']) expect(existsSync(`${root}/${p}`)).toBe(false);
  });
});
