// max_signals per rule per interval, as the rule's metadata asks. Windows start at a rule's
// first alert; what a window suppressed is reported once, when it closes (or at shutdown).

export interface SuppressedWindow {
  ruleId: string;
  ruleName: string;
  start: number;
  end: number;
  suppressed: number;
  allowed: number;
}

interface Window {
  start: number;
  intervalMs: number;
  allowed: number;
  suppressed: number;
  ruleName: string;
}

export class Throttle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly onSummary: (s: SuppressedWindow) => void) {}

  /** true: deliver this alert; false: suppressed (counted for the window's summary). */
  admit(ruleId: string, ruleName: string, maxSignals: number, intervalMs: number, nowMs: number): boolean {
    let w = this.windows.get(ruleId);
    if (w && nowMs - w.start >= intervalMs) {
      this.close(ruleId, w, w.start + intervalMs);
      w = undefined;
    }
    if (!w) {
      w = { start: nowMs, intervalMs, allowed: 0, suppressed: 0, ruleName };
      this.windows.set(ruleId, w);
    }
    if (w.allowed < maxSignals) {
      w.allowed++;
      return true;
    }
    w.suppressed++;
    return false;
  }

  /** Closes windows past their interval (call periodically), or all of them (shutdown). */
  sweep(nowMs: number, all = false): void {
    for (const [id, w] of this.windows) {
      const end = w.start + w.intervalMs;
      if (all || nowMs >= end) this.close(id, w, all ? Math.min(nowMs, end) : end);
    }
  }

  private close(ruleId: string, w: Window, end: number): void {
    this.windows.delete(ruleId);
    if (w.suppressed > 0) this.onSummary({ ruleId, ruleName: w.ruleName, start: w.start, end, suppressed: w.suppressed, allowed: w.allowed });
  }
}
