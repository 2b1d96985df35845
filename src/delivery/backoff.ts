// Waiting in an output's loop: exponential backoff with jitter, and a sleep that a stop always
// ends early and new alerts end early when asked to.

/** Exponential backoff with jitter: attempt 0 waits initial/2..initial, doubling up to max. */
export function backoffMs(attempt: number, initial: number, max: number, random = Math.random): number {
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class Sleeper {
  stopping = false;
  private wakeAlerts?: () => void;
  private wakeStop?: () => void;

  sleep(ms: number, wakeOnAlerts: boolean): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeAlerts = undefined;
        this.wakeStop = undefined;
        resolve();
      };
      const t = setTimeout(done, ms);
      if (wakeOnAlerts) this.wakeAlerts = done;
      this.wakeStop = done;
    });
  }

  /** New alerts were written: ends a sleep that waits for them. */
  alerts(): void {
    this.wakeAlerts?.();
  }

  stop(): void {
    this.stopping = true;
    this.wakeAlerts?.();
    this.wakeStop?.();
  }
}
