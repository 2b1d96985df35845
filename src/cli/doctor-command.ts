// `nightjar doctor`: checks what the agent needs from this host and says how to fix each gap.

import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import type { Config } from '../config/config-schema.js';
import { type Finding, outputFindings } from '../delivery/output-report.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { redact } from '../util/redact.js';
import { DOCTOR_SPEC } from './command-specs.js';
import { resolveConfigPath } from './config-command.js';

const CAP_BPF = 39n;
const CAP_PERFMON = 38n;
const CAP_SYS_ADMIN = 21n;

function effectiveCaps(): bigint {
  const m = /^CapEff:\s+([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

const has = (caps: bigint, bit: bigint) => (caps >> bit) & 1n;

async function checks(bpftrace: string, configArg: string | undefined): Promise<Finding[]> {
  const out: Finding[] = [];
  const caps = effectiveCaps();
  const privileged = process.getuid?.() === 0 && ((has(caps, CAP_BPF) && has(caps, CAP_PERFMON)) || has(caps, CAP_SYS_ADMIN));
  out.push({
    check: 'privileges', ok: Boolean(privileged),
    detail: `uid ${process.getuid?.()}, CapEff ${caps.toString(16)}`,
    fix: 'run as root with CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)',
  });
  const version = await execa(bpftrace, ['--version'], { reject: false });
  out.push({
    check: 'bpftrace', ok: version.exitCode === 0, detail: String(version.stdout || version.stderr || 'not found').trim(),
    fix: 'apt-get install bpftrace',
  });
  const tracefs = existsSync('/sys/kernel/tracing/events') || existsSync('/sys/kernel/debug/tracing/events');
  out.push({
    check: 'tracefs', ok: tracefs, detail: tracefs ? 'mounted' : 'not mounted',
    fix: 'mount -t tracefs nodev /sys/kernel/tracing',
  });
  const btf = existsSync('/sys/kernel/btf/vmlinux');
  out.push({ check: 'BTF', ok: btf, detail: btf ? '/sys/kernel/btf/vmlinux' : 'missing', fix: 'a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8 or later)' });
  const mounts = readFileSync('/proc/self/mounts', 'utf8');
  const cg2 = /^\S+ (\S+) cgroup2 /m.exec(mounts)?.[1];
  out.push({
    check: 'cgroup2', ok: cg2 !== undefined, detail: cg2 ? `mounted at ${cg2}` : 'no cgroup2 mount',
    fix: 'mount -t cgroup2 none /sys/fs/cgroup/unified (container context needs it)',
  });
  const configFile = resolveConfigPath(configArg);
  let config: Config | undefined;
  try {
    config = loadConfig(configFile);
    out.push({ check: 'config', ok: true, detail: configFile ? `${configFile} valid` : 'no config file: defaults' });
  } catch (e) {
    out.push({ check: 'config', ok: false, detail: e instanceof ConfigError ? e.message : String(e), fix: `edit ${configFile}; nightjar config check shows the same` });
  }
  if (version.exitCode === 0 && tracefs) {
    const attach = await execa(bpftrace, ['-e', 'tracepoint:sched:sched_process_exec { exit(); } BEGIN { printf("ok\\n"); exit(); }'], {
      reject: false, timeout: 30000,
    });
    const ok = attach.exitCode === 0 && attach.stdout.includes('ok');
    out.push({
      check: 'live attach', ok, detail: ok ? 'tracepoint attached' : attach.stderr.split('\n').filter((l) => !/RLIMIT/.test(l)).join(' ').trim(),
      fix: 'check privileges, tracefs and that the kernel allows BPF (kernel.unprivileged_bpf_disabled does not matter for root)',
    });
  }
  if (config) out.push(...(await outputFindings(config)));
  return out;
}

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: DOCTOR_SPEC.options, strict: true });
  const findings = await checks(values.bpftrace ?? 'bpftrace', values.config);
  for (const f of findings) {
    process.stdout.write(redact(`${f.ok ? 'ok  ' : f.warnOnly ? 'WARN' : 'FAIL'} ${f.check}: ${f.detail}${f.ok || !f.fix ? '' : `\n     fix: ${f.fix}`}`) + '\n');
  }
  return findings.every((f) => f.ok || f.warnOnly) ? 0 : 1;
}
