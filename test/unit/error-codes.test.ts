// Every error code in the source is in docs/errors.md with its exit code, and every code there
// exists in the source; exit codes come from the code, and a coded error's message is redacted.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { ERROR_CODES, exitCodeFor } from '../../src/util/coded-error.js';
import { registerSecret } from '../../src/util/redact.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const ROOT = join(import.meta.dirname, '../..');
const CODE = /['`]((?:CLI|CONFIG|SECRET|DELIVERY|RULES?|EQL|BPFTRACE|PATH)_[A-Z_]+)['`]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const sourceCodes = new Set(sourceFiles(join(ROOT, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(CODE)].map((m) => m[1]!)));
const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');
const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (2|1|—) \|/gm)].map((m) => [m[1]!, m[2]!]));

describe('error codes', () => {
  it('finds the codes', () => {
    expect(sourceCodes.size).toBeGreaterThan(30);
    expect(documented.size).toBeGreaterThan(30);
  });

  it('every code in the source is documented', () => {
    expect([...sourceCodes].filter((c) => !documented.has(c))).toEqual([]);
  });

  it('every documented code exists in the source', () => {
    expect([...documented.keys()].filter((c) => !sourceCodes.has(c))).toEqual([]);
  });

  it('the documented exit code is the one the CLI uses', () => {
    for (const [code, exit] of documented) {
      if (exit === '—') continue;
      expect(exitCodeFor({ code }), code).toBe(Number(exit));
    }
    for (const [code, exit] of Object.entries(ERROR_CODES)) expect(documented.get(code), code).toBe(exit === null ? '—' : String(exit));
  });

  it('an error without a known code exits 1', () => {
    expect(exitCodeFor(new Error('x'))).toBe(1);
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(1);
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(2);
  });

  it('a config error is coded and located, and its message redacted', () => {
    registerSecret('hunter2-secret-value');
    let err: unknown;
    try {
      parseConfig('outputs: hunter2-secret-value\n', 'c.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', location: 'c.yaml' });
    expect((err as Error).message).not.toContain('hunter2-secret-value');
  });

  it('the CLI exits by the code: a bad config file 2, a missing tail file 1', async () => {
    const bad = await execa(NIGHTJAR_BIN, ['config', 'check', '--config', '/nonexistent/nightjar.yaml'], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^nightjar: \/nonexistent\/nightjar\.yaml: /);
    const tail = await execa(NIGHTJAR_BIN, ['tail', '/nonexistent/alerts.ndjson'], { reject: false });
    expect(tail.exitCode).toBe(1);
  });
});
