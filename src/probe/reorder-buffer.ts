// Events from different CPUs arrive slightly out of order; this holds each event for a short
// window and releases them in timestamp order. An event older than one already released is
// passed through at once (late), and counted.

export interface Timestamped {
  ts: number;
}

export class ReorderBuffer<T extends Timestamped> {
  /** held items in ts order, and when each arrived (parallel arrays: no wrapper per item) */
  private items: T[] = [];
  private arrived: number[] = [];
  private releasedTs = -Infinity;
  late = 0;

  constructor(
    private readonly windowMs: number,
    private readonly emit: (item: T) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T, nowMs: number): void {
    if (item.ts < this.releasedTs) {
      this.late++;
      this.emit(item);
      return;
    }
    const items = this.items;
    let i = items.length;
    while (i > 0 && items[i - 1]!.ts > item.ts) i--;
    if (i === items.length) {
      items.push(item);
      this.arrived.push(nowMs);
    } else {
      items.splice(i, 0, item);
      this.arrived.splice(i, 0, nowMs);
    }
  }

  /** Releases every event that has waited the full window, and all older ones. */
  flush(nowMs: number, all = false): void {
    const { items, arrived } = this;
    let last = -1;
    if (all) last = items.length - 1;
    else for (let i = 0; i < items.length; i++) if (nowMs - arrived[i]! >= this.windowMs) last = i;
    if (last < 0) return;
    const out = items.slice(0, last + 1);
    this.items = items.slice(last + 1);
    this.arrived = arrived.slice(last + 1);
    for (const item of out) {
      this.releasedTs = item.ts;
      this.emit(item);
    }
  }
}
