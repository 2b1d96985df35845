// `nightjar <cmd> --help` / -h on every subcommand: exit 0, every option of the command's
// parseArgs table named; `nightjar --help` names every subcommand.

import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { COMMAND_SPECS } from '../../src/cli/command-specs.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const nightjar = (args: string[]) => execa(NIGHTJAR_BIN, args, { reject: false, stdin: 'ignore' });

describe('--help', () => {
  it('nightjar --help lists every subcommand and exits 0', async () => {
    const r = await nightjar(['--help']);
    expect(r.exitCode).toBe(0);
    for (const name of Object.keys(COMMAND_SPECS)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  for (const [name, spec] of Object.entries(COMMAND_SPECS)) {
    for (const flag of ['--help', '-h']) {
      it(`nightjar ${name} ${flag} exits 0 and names every option`, async () => {
        const r = await nightjar([name, flag]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toContain(`usage: ${spec.usage}`);
        for (const [opt, o] of Object.entries(spec.options)) {
          expect(r.stdout).toMatch(new RegExp(`${o.short ? `-${o.short}, ` : ''}--${opt}\\b`));
        }
      });
    }
  }

  it('after a subcommand word or other flags too, and never as the value of an option', async () => {
    expect((await nightjar(['rules', 'check', '--help'])).exitCode).toBe(0);
    expect((await nightjar(['config', 'print', '-h'])).exitCode).toBe(0);
    expect((await nightjar(['run', '--alerts', '/nonexistent/x', '--help'])).exitCode).toBe(0);
    const asValue = await nightjar(['tail', '--rule', '--help', '/nonexistent']);
    expect(asValue.stdout).not.toContain('usage:');
  });

  it('an unknown option is still a usage error (exit 2, one line)', async () => {
    const r = await nightjar(['run', '--nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
