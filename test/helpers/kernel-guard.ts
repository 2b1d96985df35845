// Kernel tests need root, bpftrace and tracefs. On a laptop without them they skip; under
// CI=true a missing requirement is a failure, never a skip.

import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('bpftrace', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bpftrace not installed';
  }
  if (!existsSync('/sys/kernel/tracing/events')) return 'tracefs not mounted at /sys/kernel/tracing';
  if (!existsSync('/usr/sbin/runc') && !existsSync('/usr/bin/runc')) return 'runc not installed';
  return undefined;
}

export const kernelMissing = missing();

if (kernelMissing && process.env.CI === 'true') {
  throw new Error(`kernel tests cannot run under CI: ${kernelMissing}`);
}

/** true when kernel tests should be skipped (never under CI). */
export const skipKernel = kernelMissing !== undefined;
