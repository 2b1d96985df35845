// eql/ is used through its public surface only: no source file outside src/eql imports an eql
// module other than src/eql/index.ts, and eql imports nothing of the sensor's stages (util/ only).

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const imports = sourceFiles(SRC).flatMap((f) =>
  [...readFileSync(f, 'utf8').matchAll(IMPORT)].filter((m) => m[1]!.startsWith('.')).map((m) => ({
    from: relative(SRC, f),
    to: relative(SRC, join(f, '..', m[1]!)),
  })),
);

describe('eql boundary', () => {
  it('finds the imports', () => {
    expect(imports.some((i) => i.to === 'eql/index.js')).toBe(true);
  });

  it('code outside eql/ imports only eql/index.js', () => {
    const outside = imports.filter((i) => !i.from.startsWith('eql/') && i.to.startsWith('eql/') && i.to !== 'eql/index.js');
    expect(outside).toEqual([]);
  });

  it('eql/ imports only eql/ and util/', () => {
    expect(imports.filter((i) => i.from.startsWith('eql/') && !/^(eql|util)\//.test(i.to))).toEqual([]);
  });
});
