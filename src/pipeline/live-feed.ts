// Drives the pipeline in real time: the lines of one read at one Date.now(), and a timer, armed
// only while events are held, that releases them once their reorder window has passed.

import type { Pipeline } from './pipeline.js';

export class LiveFeed {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pipeline: Pipeline) {}

  lines(lines: readonly string[]): void {
    const now = Date.now();
    for (const line of lines) this.pipeline.line(line, now);
    if (this.pipeline.held) this.releaseSoon();
  }

  /** After the last line: releases everything held. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pipeline.flush(Date.now());
  }

  private releaseSoon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pipeline.tick(Date.now());
      if (this.pipeline.held) this.releaseSoon();
    }, this.pipeline.reorderWindowMs);
  }
}
