// A pipe for bpftrace's stdout that the agent reads in batches. bpftrace writes every line with
// its own write(), so reading a plain child pipe costs one wakeup per line or two. Here the pipe
// is a FIFO (made in a private directory, unlinked once both ends are open) read through a
// net.Socket in `onread` mode, whose pause() stops reading the fd. Once reads come in a burst
// (BURST_READS within BURST_WINDOW_MS), the reader rests REST_MS and the lines written meanwhile
// arrive in one read; a lone exec on a quiet host is read at once. The pipe holds 64 KiB;
// should it fill during a rest, bpftrace waits and the kernel's perf buffers hold the events.

import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BURST_READS = 4;
const BURST_WINDOW_MS = 10;
const REST_MS = 10;

export class BatchedPipe {
  /** the write end, for the child's stdout; closeWriteEnd() once the child has it */
  readonly writeFd: number;
  private readonly socket: Socket;
  private resting: NodeJS.Timeout | undefined;
  private writeOpen = true;
  private windowStart = 0;
  private readsInWindow = 0;
  /** settles when the read end is done: end of file (onEnd has run) or an error */
  readonly closed: Promise<void>;

  /** onData gets each read's bytes, valid only during the call; onEnd once every writer closed. */
  constructor(onData: (bytes: Buffer) => void, onEnd: () => void) {
    const dir = mkdtempSync(join(tmpdir(), 'nightjar-pipe-'));
    let readFd: number;
    try {
      execFileSync('mkfifo', ['-m', '600', join(dir, 'stdout')], { stdio: 'ignore' });
      readFd = openSync(join(dir, 'stdout'), constants.O_RDONLY | constants.O_NONBLOCK);
      this.writeFd = openSync(join(dir, 'stdout'), constants.O_WRONLY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const buffer = Buffer.allocUnsafe(1 << 16);
    const onread = {
      buffer,
      callback: (n: number): boolean => {
        onData(buffer.subarray(0, n));
        this.afterRead();
        return true;
      },
    };
    // `onread` is a documented net.Socket option; @types/node lists it for connect() only
    this.socket = new Socket({ fd: readFd, readable: true, writable: false, onread } as ConstructorParameters<typeof Socket>[0]);
    this.socket.once('end', () => {
      clearTimeout(this.resting);
      onEnd();
    });
    this.socket.on('error', () => this.socket.destroy());
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** The child holds its copy of the write end now: end of file comes when it exits. */
  closeWriteEnd(): void {
    if (!this.writeOpen) return;
    this.writeOpen = false;
    closeSync(this.writeFd);
  }

  destroy(): void {
    clearTimeout(this.resting);
    this.closeWriteEnd();
    this.socket.destroy();
  }

  private afterRead(): void {
    const now = performance.now();
    if (now - this.windowStart > BURST_WINDOW_MS) {
      this.windowStart = now;
      this.readsInWindow = 0;
    }
    if (++this.readsInWindow < BURST_READS || this.resting) return;
    this.socket.pause();
    this.resting = setTimeout(() => {
      this.resting = undefined;
      this.windowStart = performance.now();
      this.readsInWindow = 0;
      this.socket.resume();
    }, REST_MS);
  }
}
