// When an output saves its place: after the last queued batch at once, while a backlog drains at
// most every CHECKPOINT_EVERY_MS (two fsyncs per batch would bound throughput); a crash re-sends
// at most that much, which ids make harmless. A failed save is kept and tried again.

import { type Checkpoint, saveCheckpoint } from './checkpoint-store.js';

const CHECKPOINT_EVERY_MS = 250;

export class CheckpointTimer {
  /** delivered up to here, not saved yet */
  private done?: Checkpoint;
  private savedAt = 0;

  constructor(
    private readonly path: string,
    private readonly onError: (why: string, retryInMs: number) => void,
  ) {}

  /** Saved at once: where the output starts. */
  start(initial: Checkpoint): void {
    saveCheckpoint(this.path, initial);
  }

  /** A batch ending at `end` is delivered or dead-lettered whole. */
  passed(end: Checkpoint, backlogEmpty: boolean): void {
    this.done = end;
    if (backlogEmpty || Date.now() - this.savedAt >= CHECKPOINT_EVERY_MS) this.save();
  }

  save(): void {
    if (!this.done) return;
    try {
      saveCheckpoint(this.path, this.done);
    } catch (e) {
      // kept in `done`: the next batch tries again; a crash meanwhile only re-sends
      this.onError(`cannot save the checkpoint: ${(e as Error).message}`, CHECKPOINT_EVERY_MS);
      return;
    }
    this.done = undefined;
    this.savedAt = Date.now();
  }
}
