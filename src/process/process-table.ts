// pid -> ProcessInfo, updated by fork/exec/exit, bounded. Exited processes linger for
// `exitedTtlMs` so late network events and children can still resolve them. Evictions at the
// size bound are counted (process_table_evicted).

import type { Counters } from '../util/counters.js';
import type { ProcessInfo } from './process-info.js';

export class ProcessTable {
  private readonly byPid = new Map<number, ProcessInfo>();
  private readonly exited: { pid: number; entityId: string; atMs: number }[] = [];

  constructor(
    private readonly counters: Counters,
    private readonly maxSize = 65536,
    private readonly exitedTtlMs = 5000,
  ) {}

  get size(): number {
    return this.byPid.size;
  }

  get(pid: number): ProcessInfo | undefined {
    return this.byPid.get(pid);
  }

  /** The process with this pid, only if it is the incarnation that started at startTicks. */
  getExact(pid: number, startTicks: number): ProcessInfo | undefined {
    const p = this.byPid.get(pid);
    return p && p.startTicks === startTicks ? p : undefined;
  }

  set(info: ProcessInfo): void {
    if (!this.byPid.has(info.pid) && this.byPid.size >= this.maxSize) this.evictOne();
    this.byPid.delete(info.pid);
    this.byPid.set(info.pid, info);
  }

  markExited(pid: number, startTicks: number, nowMs: number): ProcessInfo | undefined {
    const p = this.getExact(pid, startTicks);
    if (!p) return undefined;
    p.exitedAtMs = nowMs;
    this.exited.push({ pid, entityId: p.entityId, atMs: nowMs });
    return p;
  }

  /** Forgets processes that exited more than the TTL ago. */
  sweep(nowMs: number): void {
    const q = this.exited;
    let n = 0;
    while (n < q.length && nowMs - q[n]!.atMs >= this.exitedTtlMs) {
      const { pid, entityId } = q[n]!;
      const p = this.byPid.get(pid);
      if (p && p.entityId === entityId && p.exitedAtMs !== undefined) this.byPid.delete(pid);
      n++;
    }
    if (n) q.splice(0, n);
  }

  /** Evicts the oldest exited process, else the least recently updated one. */
  private evictOne(): void {
    while (this.exited.length) {
      const { pid, entityId } = this.exited.shift()!;
      const p = this.byPid.get(pid);
      if (p && p.entityId === entityId) {
        this.byPid.delete(pid);
        this.counters.inc('process_table_evicted');
        return;
      }
    }
    const first = this.byPid.keys().next();
    if (!first.done) {
      this.byPid.delete(first.value);
      this.counters.inc('process_table_evicted');
    }
  }
}
