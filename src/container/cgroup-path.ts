// Cgroup path (or its last few directory names) -> container context. Pure; never throws.
// Recognizes Docker, containerd/CRI, CRI-O, Podman (rootful and rootless) in cgroupfs and
// systemd layouts; for nested runtimes the innermost container wins. docs/container-context.md

export interface ContainerContext {
  id: string;
  /** undefined when the path does not tell (a bare id under kubepods/) */
  runtime: string | undefined;
  podUid?: string;
  qos?: 'guaranteed' | 'burstable' | 'besteffort';
}

export type CgroupVerdict =
  | { kind: 'container'; container: ContainerContext }
  | { kind: 'host' }
  /** a runtime helper such as conmon: deliberately not a container */
  | { kind: 'excluded' }
  /** looks like a container (a 64-hex id) in a shape we do not know */
  | { kind: 'unrecognized' };

const HEX64 = /[0-9a-f]{64}/;
const SCOPED = /^(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope$/;
const HELPER = /^(crio-conmon|libpod-conmon)-[0-9a-f]{64}\.scope$/;
const RUNTIMES: Record<string, string> = { docker: 'docker', 'cri-containerd': 'containerd', crio: 'cri-o', libpod: 'podman' };
const POD = /^(?:kubepods(?:-(besteffort|burstable))?-)?pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(?:\.slice)?$/;

function pod(segments: string[], before: number): Pick<ContainerContext, 'podUid' | 'qos'> {
  for (let i = before - 1; i >= 0; i--) {
    const m = POD.exec(segments[i]!);
    if (!m) continue;
    const prev = segments[i - 1];
    const qos = (m[1] ?? (prev === 'besteffort' || prev === 'burstable' ? prev : 'guaranteed')) as ContainerContext['qos'];
    return { podUid: m[2]!.replaceAll('_', '-'), qos };
  }
  return {};
}

export function classifyCgroupPath(path: string): CgroupVerdict {
  const segments = path.split('/').filter(Boolean);
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i]!;
    if (HELPER.test(seg)) return { kind: 'excluded' };
    const scoped = SCOPED.exec(seg);
    if (scoped) return { kind: 'container', container: { id: scoped[2]!, runtime: RUNTIMES[scoped[1]!], ...pod(segments, i) } };
    if (/^[0-9a-f]{64}$/.test(seg)) {
      const prev = segments[i - 1] ?? '';
      const p = pod(segments, i);
      if (prev === 'docker') return { kind: 'container', container: { id: seg, runtime: 'docker', ...p } };
      if (p.podUid !== undefined || prev.startsWith('pod')) return { kind: 'container', container: { id: seg, runtime: undefined, ...p } };
      if (prev === 'libpod_parent' || prev.startsWith('libpod')) return { kind: 'container', container: { id: seg, runtime: 'podman' } };
      return { kind: 'unrecognized' };
    }
    if (HEX64.test(seg)) return { kind: 'unrecognized' };
  }
  return { kind: 'host' };
}

/**
 * /proc/PID/cgroup text -> the path to classify: the cgroup v2 line (`0::`) when it says more
 * than "/", else the name=systemd line, else the first v1 controller line.
 */
export function procCgroupPath(text: string): string | undefined {
  let v2: string | undefined;
  let systemd: string | undefined;
  let first: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , controllers, path] = m as unknown as [string, string, string, string];
    if (controllers === '') v2 = path;
    else if (controllers === 'name=systemd') systemd = path;
    else first ??= path;
  }
  if (v2 && v2 !== '/') return v2;
  return systemd ?? first ?? v2;
}
