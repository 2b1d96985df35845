// Event cgroup id -> ECS container.* and orchestrator.* fields. Names come from the probe's
// G records (read in the kernel, so exited containers resolve), else from the cgroup2 index;
// runtime metadata is loaded once per container, off the hot path, and cached (bounded).

import type { Counters } from '../util/counters.js';
import { CgroupIndex } from './cgroup-index.js';
import { type CgroupVerdict, classifyCgroupPath, type ContainerContext } from './cgroup-path.js';
import { type ContainerMetadata, readContainerMetadata } from './runtime-metadata.js';

export interface ContainerFields {
  container: Record<string, unknown>;
  orchestrator?: Record<string, unknown>;
}

class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(k: K, v: V): this {
    if (!this.has(k) && this.size >= this.max) this.delete(this.keys().next().value as K);
    return super.set(k, v);
  }
}

export class ContainerResolver {
  private readonly names = new BoundedMap<string, string[]>(65536);
  private readonly verdicts = new BoundedMap<string, CgroupVerdict>(65536);
  private readonly metadata = new BoundedMap<string, ContainerMetadata | Promise<ContainerMetadata>>(8192);
  /** the fields of a cgroup, built once its metadata has settled (events share them, read-only) */
  private readonly fields = new BoundedMap<string, ContainerFields | null>(65536);
  private readonly index: CgroupIndex;

  constructor(
    private readonly hostRoot: string,
    private readonly counters: Counters,
  ) {
    this.index = new CgroupIndex(hostRoot);
  }

  /** Seeds the cgroup2 index (processes older than the agent). */
  start(): Promise<void> {
    return this.index.refresh(0);
  }

  /** A G record: one directory name of a cgroup, `level` steps above it. */
  addName(cgroupId: string, level: number, name: string): void {
    if (level < 0 || level > 7) return;
    let n = this.names.get(cgroupId);
    if (!n) {
      n = [];
      this.names.set(cgroupId, n);
    }
    n[level] = name;
    this.verdicts.delete(cgroupId);
    this.fields.delete(cgroupId);
    if (level === 0) this.verdictOf(cgroupId);
  }

  private path(cgroupId: string): string | undefined {
    const n = this.names.get(cgroupId);
    if (n && n[0] !== undefined) return [...n].reverse().join('/');
    return this.index.get(cgroupId);
  }

  private verdictOf(cgroupId: string): CgroupVerdict | undefined {
    const known = this.verdicts.get(cgroupId);
    if (known) return known;
    const path = this.path(cgroupId);
    if (path === undefined) {
      this.counters.inc('cgroup_unresolved');
      void this.index.refresh();
      return undefined;
    }
    const v = classifyCgroupPath(path);
    if (v.kind === 'unrecognized') this.counters.inc('cgroup_unrecognized');
    if (v.kind === 'container') this.loadMetadata(v.container.id);
    this.verdicts.set(cgroupId, v);
    return v;
  }

  private loadMetadata(id: string): void {
    if (this.metadata.has(id)) return;
    const p = readContainerMetadata(this.hostRoot, id).catch(() => ({}));
    this.metadata.set(id, p);
    void p.then((m) => {
      if (this.metadata.get(id) === p) this.metadata.set(id, m);
    });
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
    const got = this.metadata.get(v.container.id);
    if (got instanceof Promise) return this.build(v.container, {});
    const f = this.build(v.container, got ?? {});
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
    if (!podUid && !m.namespace) return { container };
    const orchestrator: Record<string, unknown> = { type: 'kubernetes', resource: { type: 'pod' } };
    const resource = orchestrator.resource as Record<string, unknown>;
    if (podUid) resource.id = podUid;
    if (m.podName) resource.name = m.podName;
    if (m.namespace) orchestrator.namespace = m.namespace;
    return { container, orchestrator };
  }
}
