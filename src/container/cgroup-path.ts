// Cgroup path (segments from the root) -> container context. Pure; never throws. Recognizes
// Docker, containerd/CRI, CRI-O, Podman (rootful, rootless) in cgroupfs and systemd layouts.
// The outermost container-shaped segment wins; ids below it are only reported. docs/container-context.md

export interface ContainerContext {
  id: string;
  /** undefined when the path does not tell (a bare id under kubepods/) */
  runtime: string | undefined;
  podUid?: string;
  qos?: 'guaranteed' | 'burstable' | 'besteffort';
  /** 64-hex ids in the segments below the container's (made inside it), at most MAX_NESTED_IDS */
  nestedIds?: string[];
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

const MAX_NESTED_IDS = 8;

function nestedIds(segments: string[], from: number): string[] | undefined {
  const ids = new Set<string>();
  for (let i = from; i < segments.length && ids.size < MAX_NESTED_IDS; i++) {
    for (const m of segments[i]!.matchAll(/[0-9a-f]{64}/g)) if (ids.size < MAX_NESTED_IDS) ids.add(m[0]);
  }
  return ids.size ? [...ids] : undefined;
}

function container(id: string, runtime: string | undefined, segments: string[], i: number): CgroupVerdict {
  const c: ContainerContext = { id, runtime, ...pod(segments, i) };
  const nested = nestedIds(segments, i + 1);
  if (nested) c.nestedIds = nested;
  return { kind: 'container', container: c };
}

/**
 * Directory names from the root down -> verdict. Only the runtime can create the segments above
 * a container's own, so the first container-shaped segment from the root is the container;
 * whatever is below it was made inside it. `contiguous`: how many leading segments follow each
 * other from the root; the rest (the cgroup's own name, after levels the probe did not print)
 * can only add nested ids, or make an id-shaped path unrecognized.
 */
export function classifyCgroupSegments(segments: string[], contiguous = segments.length): CgroupVerdict {
  const known = Math.min(contiguous, segments.length);
  for (let i = 0; i < known; i++) {
    const seg = segments[i]!;
    if (HELPER.test(seg)) return { kind: 'excluded' };
    const scoped = SCOPED.exec(seg);
    if (scoped) return container(scoped[2]!, RUNTIMES[scoped[1]!], segments, i);
    if (/^[0-9a-f]{64}$/.test(seg)) {
      const prev = segments[i - 1] ?? '';
      if (prev === 'docker') return container(seg, 'docker', segments, i);
      if (pod(segments, i).podUid !== undefined || prev.startsWith('pod')) return container(seg, undefined, segments, i);
      if (prev === 'libpod_parent' || prev.startsWith('libpod')) return container(seg, 'podman', segments, i);
      return { kind: 'unrecognized' };
    }
    if (HEX64.test(seg)) return { kind: 'unrecognized' };
  }
  for (let i = known; i < segments.length; i++) if (HEX64.test(segments[i]!)) return { kind: 'unrecognized' };
  return { kind: 'host' };
}

export function classifyCgroupPath(path: string): CgroupVerdict {
  return classifyCgroupSegments(path.split('/').filter(Boolean));
}
