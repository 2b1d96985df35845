// The P record (session + filename in one) assembles to the same exec event as the F and S
// records it replaces: same args, filename, truncation flag, session and cwd.

import { describe, expect, it } from 'vitest';
import { ExecAssembler } from '../../src/probe/exec-assembler.js';
import { type ExecHeader, parseRecord } from '../../src/probe/records.js';

const hex = (s: string) => [...Buffer.from(s, 'latin1')].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** Feeds printf payloads as the decoder does (argv/filename to the assembler, exec completes). */
function assemble(lines: string[]) {
  const asm = new ExecAssembler();
  for (const line of lines) {
    const r = parseRecord(`${line}\n`);
    if (!r) throw new Error(`rejected: ${line}`);
    if (r.kind === 'argv') asm.addChunk(r.pid, r.ts, r.index, r.hex, 0);
    else if (r.kind === 'filename') asm.addFilename(r.pid, r.ts, r.path, 0, r.truncated);
    else if (r.kind === 'exec') return { ev: asm.complete(r as ExecHeader), incomplete: asm.stats.incompleteExecs };
  }
  throw new Error('no exec header');
}

const argv = `A 7 50 0 ${hex('/bin/true\0a b\0')}`;
const cwd = [`A 7 50 64 ${hex('main')}`, `A 7 50 65 ${hex('work')}`];
const header = 'E 7 50 1 0 0 0 0 2 14 4567890123456 42 true';

describe('P record', () => {
  it('assembles exactly as F + S did: filename with spaces and bytes >= 0x80, session, cwd', () => {
    // bpftrace hands bytes >= 0x80 over as latin1 code units (bpftrace-json.ts)
    const path = '/tmp/my dir/caf\u00c3\u00a9';
    const old = assemble([argv, `F 7 50 ${path}`, ...cwd, 'S 7 50 7 5 136 3 2199023255551 1024 2', header]);
    const now = assemble([argv, ...cwd, `P 7 50 7 5 136 3 2199023255551 1024 2 ${path}`, header]);
    expect(now).toEqual(old);
    expect(now.ev).toMatchObject({ filename: '/tmp/my dir/café', cwd: '/work/main', args: ['/bin/true', 'a b'], argsTruncated: false });
    expect(now.ev.session).toEqual({ pgid: 7, sid: 5, ttyMajor: 136, ttyMinor: 3, capEffective: 2199023255551, capPermitted: 1024 });
    expect(now.incomplete).toBe(0);
  });

  it('flags a 159-byte path as cut, and leaves the cwd out at a negative depth (-1: too deep)', () => {
    const long = `/${'x'.repeat(158)}`;
    const cut = assemble([argv, `P 7 50 1 1 0 0 0 0 -1 ${long}`, header]).ev;
    expect(cut.executableTruncated).toBe(true);
    expect(cut.cwd).toBeUndefined();
    expect(assemble([argv, `F 7 50 ${long}`, 'S 7 50 1 1 0 0 0 0 -1', header]).ev).toEqual(cut);
    expect(assemble([argv, ...cwd, 'P 7 50 1 1 0 0 0 0 -2 /bin/true', header]).ev.cwd).toBeUndefined();
    expect(assemble([argv, 'P 7 50 1 1 0 0 0 0 0 /bin/true', header]).ev.cwd).toBe('/');
  });

  it('rejects malformed P records', () => {
    for (const bad of ['P 1 2 3 4 5 6 7 8 9', 'P 1 2 3 4 5 6 x 8 9 /a', 'P 1 2 3 4 5 6 7 8 x /a', 'P 1 2 3 4 5 6 99999999999999999999 8 0 /a', 'P x 2 3 4 5 6 7 8 9 /a']) {
      expect(parseRecord(`${bad}\n`), bad).toBeUndefined();
    }
  });
});
