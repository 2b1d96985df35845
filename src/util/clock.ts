// Converts kernel clocks to wall time: bpftrace `nsecs` is CLOCK_MONOTONIC (as Node's
// hrtime); start_boottime ticks count from boot (CLOCK_BOOTTIME, /proc/uptime).

import { readFileSync } from 'node:fs';

/** Epoch ms at CLOCK_MONOTONIC 0 and at boot (CLOCK_BOOTTIME 0). */
interface ClockOffsets {
  monoToWallMs: number;
  bootWallMs: number;
}

export class Clock {
  private monoToWallMs = 0;
  private bootWallMs = 0;

  /** fixed: offsets that calibrate() keeps (a recording replayed as if it ran then) */
  constructor(private readonly procRoot = '/proc', private readonly fixed?: ClockOffsets) {
    this.calibrate();
  }

  calibrate(): void {
    this.startCache?.clear();
    if (this.fixed) {
      ({ monoToWallMs: this.monoToWallMs, bootWallMs: this.bootWallMs } = this.fixed);
      return;
    }
    const now = Date.now();
    this.monoToWallMs = now - Number(process.hrtime.bigint()) / 1e6;
    try {
      const uptime = Number(readFileSync(`${this.procRoot}/uptime`, 'utf8').split(' ')[0]);
      this.bootWallMs = now - uptime * 1000;
    } catch {
      this.bootWallMs = this.monoToWallMs;
    }
  }

  /** CLOCK_MONOTONIC ns -> epoch ms, whole (the precision of @timestamp). */
  wallMs(monoNs: number): number {
    return Math.floor(this.monoToWallMs + monoNs / 1e6);
  }

  private readonly startCache = new Map<number, string>();

  /** Clock ticks since boot (10 ms) -> ISO date; cached, as every event of a process asks. */
  startIso(startTicks: number): string {
    let s = this.startCache.get(startTicks);
    if (s === undefined) {
      if (this.startCache.size > 65536) this.startCache.clear();
      s = new Date(this.bootWallMs + startTicks * 10).toISOString();
      this.startCache.set(startTicks, s);
    }
    return s;
  }

  private isoSecond = NaN;
  private isoPrefix = '';

  /** ISO date of whole epoch ms; the text up to the second is reused within that second. */
  isoMs(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.isoSecond) {
      const full = new Date(second * 1000).toISOString();
      if (!full.endsWith('.000Z')) return new Date(ms).toISOString();
      this.isoSecond = second;
      this.isoPrefix = full.slice(0, -4);
    }
    return `${this.isoPrefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
  }
}
