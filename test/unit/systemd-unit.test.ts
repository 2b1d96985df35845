// The systemd unit: `systemd-analyze verify` is silent and the offline security exposure is
// at most 5.0 (ExecStart pointed at this checkout, as the unit's binary is not installed here).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';

const unit = () => {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-unit-`);
  const path = `${dir}/nightjar.service`;
  writeFileSync(path, readFileSync(`${REPO}/packaging/systemd/nightjar.service`, 'utf8').replaceAll('/usr/local/bin/nightjar', `${REPO}/bin/nightjar`));
  return path;
};

describe('systemd unit', () => {
  it('passes systemd-analyze verify with no output', async () => {
    const r = await execa('systemd-analyze', ['verify', unit()], { reject: false });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('rates an exposure of at most 5.0', async () => {
    const r = await execa('systemd-analyze', ['security', '--offline=true', '--no-pager', unit()], { reject: false });
    const m = /Overall exposure level for nightjar\.service: ([\d.]+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(5.0);
  });

  it('keeps what the sensor needs: every process visible, V8 allowed W+X', () => {
    const text = readFileSync(`${REPO}/packaging/systemd/nightjar.service`, 'utf8');
    const active = text.split('\n').filter((l) => !l.startsWith('#'));
    expect(active.some((l) => /^(ProtectProc|ProcSubset|MemoryDenyWriteExecute)=/.test(l))).toBe(false);
    expect(active).toContain('KillMode=mixed');
    expect(active).toContain('ExecReload=/bin/kill -HUP $MAINPID');
  });
});
