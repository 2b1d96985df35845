// Startup as an ordered list of steps: each started step pushes how to undo it, and stop()
// runs them in reverse, once, whatever failed before; a failing step is logged, not fatal.

import type { Logger } from '../util/log.js';

export class Teardown {
  private readonly steps: { name: string; undo: () => unknown }[] = [];
  private done: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  push(name: string, undo: () => unknown): void {
    this.steps.push({ name, undo });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.undo();
        } catch (e) {
          this.log.error('teardown step failed', { step: step.name, error: String((e as Error).message ?? e) });
        }
      }
    })();
    return this.done;
  }
}
