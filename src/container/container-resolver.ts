// Event cgroup id -> ECS container.*, orchestrator.* and nightjar.cgroup.* fields. Names come
// from the probe's G records (read in the kernel from the root down, so exited containers
// resolve), else from the cgroup2 index; runtime metadata is read once it exists (a few small
// files, at most every 50 ms while a new container's runtime may still be saving it), cached.

import type { Counters } from '../util/counters.js';
import { CgroupIndex } from './cgroup-index.js';
import { type CgroupVerdict, classifyCgroupPath, classifyCgroupSegments, type ContainerContext } from './cgroup-path.js';
import { type ContainerMetadata, readContainerMetadata } from './runtime-metadata.js';

export interface ContainerFields {
  container: Record<string, unknown>;
  orchestrator?: Record<string, unknown>;
  /** ids found below the container's cgroup: for investigation, never container.id */
  nightjar?: { cgroup: { nested_ids: string[] } };
}

/** G records per cgroup: the probe prints at most 9 (8 from the root and the cgroup's own) */
const MAX_NAMES = 16;

/**
 * An empty metadata read: the runtime may not have saved its state yet (G records come with
 * the first event in a cgroup, which can be the runtime's own init cloning before the state
 * exists, and the container's first execs follow within milliseconds). Read again at each later
 * event of that container, the first METADATA_EAGER_READS times, then at most every
 * METADATA_RETRY_MS, until METADATA_SETTLE_MS after the first read; then it stays empty.
 */
interface NotYet {
  firstMs: number;
  lastMs: number;
  reads: number;
}
/** reads at every event of the container up to this many, then at most every METADATA_RETRY_MS */
const METADATA_EAGER_READS = 16;
const METADATA_RETRY_MS = 50;
const METADATA_SETTLE_MS = 10_000;
const MAX_LEVEL = 1 << 20;

const isNotYet = (m: unknown): m is NotYet => typeof m === 'object' && m !== null && 'firstMs' in m;

/** A Map that evicts its oldest entry at `max`, counted as container_cache_evicted{cache}. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(
    private readonly max: number,
    private readonly onEvict: () => void,
  ) {
    super();
  }
  override set(k: K, v: V): this {
    if (!this.has(k) && this.size >= this.max) {
      this.delete(this.keys().next().value as K);
      this.onEvict();
    }
    return super.set(k, v);
  }
}

/** Entry bounds of the resolver's caches */
const CONTAINER_CACHE_BOUNDS = { names: 65536, verdicts: 65536, metadata: 8192, fields: 65536 } as const;
type CacheName = keyof typeof CONTAINER_CACHE_BOUNDS;

export class ContainerResolver {
  /** cgroup id -> directory names by steps above the cgroup (0: its own) */
  private readonly names: BoundedMap<string, Map<number, string>>;
  private readonly verdicts: BoundedMap<string, CgroupVerdict>;
  private readonly metadata: BoundedMap<string, ContainerMetadata | NotYet>;
  /** the fields of a cgroup, built once its metadata has settled (events share them, read-only) */
  private readonly fields: BoundedMap<string, ContainerFields | null>;
  private readonly index: CgroupIndex;

  constructor(
    private readonly hostRoot: string,
    private readonly counters: Counters,
    bounds: { readonly [C in CacheName]: number } = CONTAINER_CACHE_BOUNDS,
    maxIndexEntries?: number,
  ) {
    const cache = <V>(name: CacheName) => new BoundedMap<string, V>(bounds[name], counters.series('container_cache_evicted', { cache: name }).inc);
    this.names = cache('names');
    this.verdicts = cache('verdicts');
    this.metadata = cache('metadata');
    this.fields = cache('fields');
    this.index = new CgroupIndex(hostRoot, counters, maxIndexEntries);
  }

  /** Seeds the cgroup2 index (processes older than the agent). */
  start(): Promise<void> {
    return this.index.refresh(0);
  }

  /** A G record: one directory name of a cgroup, `level` steps above it; level 0 comes last. */
  addName(cgroupId: string, level: number, name: string): void {
    if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
      this.counters.inc('cgroup_names_dropped');
      return;
    }
    let n = this.names.get(cgroupId);
    if (!n) {
      n = new Map();
      this.names.set(cgroupId, n);
    }
    if (!n.has(level) && n.size >= MAX_NAMES) {
      this.counters.inc('cgroup_names_dropped');
      return;
    }
    n.set(level, name);
    this.verdicts.delete(cgroupId);
    this.fields.delete(cgroupId);
    if (level === 0) this.verdictOf(cgroupId);
  }

  /**
   * The cgroup's names from the root down. The probe prints depth 1 (the highest step) and
   * the steps below it without holes up to depth 8, then step 0: a hole means levels between
   * were not printed, so only the names before it are known to follow each other.
   */
  private classify(cgroupId: string): CgroupVerdict | undefined {
    const n = this.names.get(cgroupId);
    if (n && n.has(0)) {
      const levels = [...n.keys()].sort((a, b) => b - a);
      const segments = levels.map((l) => n.get(l)!).filter((name, i) => name !== '' || levels[i] !== 0);
      let contiguous = levels.length;
      for (let i = 1; i < levels.length; i++) {
        if (levels[i - 1]! - levels[i]! > 1) {
          contiguous = i;
          break;
        }
      }
      return classifyCgroupSegments(segments, contiguous);
    }
    const path = this.index.get(cgroupId);
    return path === undefined ? undefined : classifyCgroupPath(path);
  }

  private verdictOf(cgroupId: string): CgroupVerdict | undefined {
    const known = this.verdicts.get(cgroupId);
    if (known) return known;
    const v = this.classify(cgroupId);
    if (v === undefined) {
      this.counters.inc('cgroup_unresolved');
      void this.index.refresh();
      return undefined;
    }
    if (v.kind === 'unrecognized') this.counters.inc('cgroup_unrecognized');
    this.verdicts.set(cgroupId, v);
    return v;
  }

  /** The container's metadata once settled; undefined while the runtime may still save it. */
  private metadataOf(id: string): ContainerMetadata | undefined {
    const known = this.metadata.get(id);
    if (known !== undefined && !isNotYet(known)) return known;
    const now = Date.now();
    if (known && known.reads >= METADATA_EAGER_READS && now - known.lastMs < METADATA_RETRY_MS) return undefined;
    const m = readContainerMetadata(this.hostRoot, id);
    if (Object.keys(m).length > 0 || (known && now - known.firstMs >= METADATA_SETTLE_MS)) {
      this.metadata.set(id, m);
      return m;
    }
    this.metadata.set(id, { firstMs: known?.firstMs ?? now, lastMs: now, reads: (known?.reads ?? 0) + 1 });
    return undefined;
  }

  resolve(cgroupId: string | undefined): ContainerFields | undefined {
    if (cgroupId === undefined) return undefined;
    const cached = this.fields.get(cgroupId);
    if (cached !== undefined) return cached ?? undefined;
    const v = this.verdictOf(cgroupId);
    if (!v) return undefined;
    if (v.kind !== 'container') {
      this.fields.set(cgroupId, null);
      return undefined;
    }
    const got = this.metadataOf(v.container.id);
    if (got === undefined) return this.build(v.container, {});
    const f = this.build(v.container, got);
    this.fields.set(cgroupId, f);
    return f;
  }

  private build(c: ContainerContext, m: ContainerMetadata): ContainerFields {
    const container: Record<string, unknown> = { id: c.id };
    const runtime = c.runtime ?? m.runtime;
    if (runtime) container.runtime = runtime;
    if (m.name) container.name = m.name;
    if (m.imageName) container.image = { name: m.imageName, ...(m.imageTag ? { tag: [m.imageTag] } : {}) };
    const podUid = c.podUid ?? m.podUid;
    const nightjar = c.nestedIds ? { cgroup: { nested_ids: c.nestedIds } } : undefined;
    if (!podUid && !m.namespace) return nightjar ? { container, nightjar } : { container };
    const orchestrator: Record<string, unknown> = { type: 'kubernetes', resource: { type: 'pod' } };
    const resource = orchestrator.resource as Record<string, unknown>;
    if (podUid) resource.id = podUid;
    if (m.podName) resource.name = m.podName;
    if (m.namespace) orchestrator.namespace = m.namespace;
    return nightjar ? { container, orchestrator, nightjar } : { container, orchestrator };
  }
}
