// Capability mask -> ECS `process.thread.capabilities.*` values (CAP_* names, linux/capability.h).

const NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Hosts run few distinct capability sets: names per mask, up to this many masks. */
const CACHE_MAX = 256;
const cache = new Map<number, readonly string[]>();

function names(mask: number): readonly string[] {
  const out: string[] = [];
  let m = BigInt(mask);
  for (let bit = 0; m > 0n; bit++, m >>= 1n) if (m & 1n) out.push(NAMES[bit] ?? String(bit));
  return out;
}

/** Bit n set -> NAMES[n]; a bit beyond the known names is its number (ECS allows `\d+`). A fresh array. */
export function capabilityNames(mask: number): string[] {
  let n = cache.get(mask);
  if (!n) {
    if (cache.size >= CACHE_MAX) cache.clear();
    n = names(mask);
    cache.set(mask, n);
  }
  return n.slice();
}
