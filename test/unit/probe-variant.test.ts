// The probe variant chosen at start: kernel_cap_t's layout read from bpftrace's BTF listing, and
// the script text rewritten for it. Pure: listings are recorded text, the script is the shipped one.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bpftraceCommand, capShape, probeScriptFor } from '../../src/probe/bpftrace-runner.js';
import { PROBE_SCRIPT } from '../../src/util/paths.js';

// `bpftrace -lv 'struct kernel_cap_struct'` (0.17): on 6.18 (this machine) the struct has no
// name any more and nothing is printed; on Debian 12's 6.1.0-57 (BPFTRACE_BTF = its .BTF section):
const LISTING_6_18 = '';
const LISTING_6_1 = 'struct kernel_cap_struct {\n\t__u32 cap[2];\n};\n\n';

const script = readFileSync(PROBE_SCRIPT, 'utf8');
const capReads = (text: string) => text.match(/cap_(?:effective|permitted)\S*/g) ?? [];

describe('capability layout', () => {
  it('reads u32 cap[2] from the 6.1 listing and u64 from the 6.3+ one (or any other answer)', () => {
    expect(capShape(LISTING_6_1)).toBe('u32x2');
    expect(capShape(LISTING_6_18)).toBe('u64');
    expect(capShape('ERROR: some failure\n')).toBe('u64');
    expect(capShape('struct kernel_cap_struct {\n\t__u32 cap[3];\n};\n')).toBe('u64');
  });
});

describe('probe script for a layout', () => {
  it('ships the 6.3+ text unchanged', () => {
    expect(probeScriptFor(script, 'u64')).toBe(script);
    expect(capReads(script)).toEqual(['cap_effective.val,', 'cap_permitted.val,']);
  });

  it('builds the same u64 from cap[0] (low) and cap[1] for 6.1, and changes nothing else', () => {
    const old = probeScriptFor(script, 'u32x2');
    expect(old).not.toMatch(/cap_(?:effective|permitted)\.val/);
    expect(old).toContain(
      '((uint64)$t->cred->cap_effective.cap[0] | ((uint64)$t->cred->cap_effective.cap[1] << 32)), ' +
        '((uint64)$t->cred->cap_permitted.cap[0] | ((uint64)$t->cred->cap_permitted.cap[1] << 32))',
    );
    const back = old.replace(/\(\(uint64\)(\$t->cred->cap_\w+)\.cap\[0\] \| \(\(uint64\)\1\.cap\[1\] << 32\)\)/g, '$1.val');
    expect(back).toBe(script);
  });

  it('refuses a script whose capability reads it does not recognise', () => {
    expect(() => probeScriptFor(script.replaceAll('cap_permitted.val', 'cap_permitted'), 'u32x2')).toThrow(/expected 2 capability reads/);
  });
});

describe('bpftrace command', () => {
  it('reads the program from stdin, environment capture as positional parameter 1', () => {
    const { args } = bpftraceCommand({ bpftrace: '/usr/bin/bpftrace', captureEnv: true });
    expect(args.slice(args.indexOf('/usr/bin/bpftrace'))).toEqual(['/usr/bin/bpftrace', '-f', 'json', '-', '1']);
    const plain = bpftraceCommand({});
    expect(plain.args.slice(-3)).toEqual(['-f', 'json', '-']);
  });
});
