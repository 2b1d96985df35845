// Events from different CPUs arrive slightly out of order; this holds each event for a short
// window and releases them in timestamp order. An event older than one already released is
// passed through at once (late), and counted.

export interface Timestamped {
  ts: number;
}

export class ReorderBuffer<T extends Timestamped> {
  private held: { item: T; arrivedMs: number }[] = [];
  private releasedTs = -Infinity;
  late = 0;

  constructor(
    private readonly windowMs: number,
    private readonly emit: (item: T) => void,
  ) {}

  get size(): number {
    return this.held.length;
  }

  push(item: T, nowMs: number): void {
    if (item.ts < this.releasedTs) {
      this.late++;
      this.emit(item);
      return;
    }
    const held = this.held;
    let i = held.length;
    while (i > 0 && held[i - 1]!.item.ts > item.ts) i--;
    held.splice(i, 0, { item, arrivedMs: nowMs });
  }

  /** Releases every event that has waited the full window, and all older ones. */
  flush(nowMs: number, all = false): void {
    const held = this.held;
    let last = -1;
    for (let i = 0; i < held.length; i++) if (all || nowMs - held[i]!.arrivedMs >= this.windowMs) last = i;
    if (last < 0) return;
    const out = held.splice(0, last + 1);
    for (const h of out) {
      this.releasedTs = h.item.ts;
      this.emit(h.item);
    }
  }
}
