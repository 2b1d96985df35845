// Runs the bundled bpftrace script as one child process and hands its stdout lines on.
// Waits for the BEGIN marker (printed after every probe attached), restarts bpftrace with
// backoff when it dies, and never leaves it orphaned: setpriv --pdeathsig covers SIGKILL of
// the agent, execa's cleanup covers a normal exit.

import { existsSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import split2 from 'split2';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { CodedError } from '../util/coded-error.js';

export interface RunnerOptions {
  script: string;
  bpftrace?: string;
  /** the probe reads exec environments (positional parameter 1): only for a configured allow-list */
  captureEnv?: boolean;
  maxLineBytes?: number;
  readyTimeoutMs?: number;
  onLine: (line: string) => void;
  log: Logger;
  counters: Counters;
}

const READY_PREFIX = '{"type": "printf", "data": "B ';
const NOISE = /RLIMIT_MEMLOCK|WARNING:|^\s*~+\s*$|^\s{4}/;
const BACKOFF_MS = [1000, 2000, 5000, 10000, 30000];

export class BpftraceError extends CodedError {
  constructor(code: 'BPFTRACE_START', message: string) {
    super(code, message);
  }
}

export function bpftraceCommand(opts: { script: string; bpftrace?: string; captureEnv?: boolean }): { file: string; args: string[] } {
  const bt = opts.bpftrace ?? 'bpftrace';
  const args = ['-f', 'json', opts.script, ...(opts.captureEnv ? ['1'] : [])];
  return existsSync('/usr/bin/setpriv')
    ? { file: '/usr/bin/setpriv', args: ['--pdeathsig', 'KILL', '--', bt, ...args] }
    : { file: bt, args };
}

export class BpftraceRunner {
  private child: ResultPromise | undefined;
  private stopping = false;
  private failures = 0;
  private downSince: number | undefined;
  private stderrTail: string[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  /** true while a bpftrace has attached its probes and not exited */
  up = false;

  constructor(private readonly opts: RunnerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once bpftrace has attached every probe; rejects if the first start fails. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => this.spawn(resolve, reject));
  }

  private spawn(onReady?: () => void, onFail?: (e: Error) => void): void {
    const { file, args } = bpftraceCommand(this.opts);
    const child = execa(file, args, {
      env: { BPFTRACE_STRLEN: '160', BPFTRACE_PERF_RB_PAGES: '1024' },
      stdin: 'ignore', buffer: false, reject: false, cleanup: true, killSignal: 'SIGTERM',
      forceKillAfterDelay: 3000,
    });
    this.child = child;
    this.stderrTail = [];
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) child.kill('SIGKILL');
    }, this.opts.readyTimeoutMs ?? 30000);

    // skipOverflow is a split2 option its type declarations lack.
    const lines = split2({ maxLength: this.opts.maxLineBytes ?? 1 << 20, skipOverflow: true } as split2.Options);
    countOverflows(lines, () => this.opts.counters.inc('probe_lines_overflowed'));
    child.stdout!.pipe(lines).on('data', (line: string) => {
      if (!ready && line.startsWith(READY_PREFIX)) {
        ready = true;
        this.up = true;
        clearTimeout(timer);
        this.onAttached();
        onReady?.();
      }
      this.opts.onLine(line);
    });
    child.stderr!.pipe(split2()).on('data', (line: string) => {
      if (NOISE.test(line) || !line.trim()) return;
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    // 'exit' comes at once; the result waits for the pipes to drain
    child.once('exit', () => {
      this.up = false;
    });
    void child.then((result) => {
      clearTimeout(timer);
      if (this.stopping) return;
      const why = `bpftrace exited (${result.signal ?? `code ${result.exitCode}`}): ${this.stderrTail.join(' | ') || 'no message'}`;
      if (!ready && onFail) {
        onFail(new BpftraceError('BPFTRACE_START', why));
        return;
      }
      this.opts.counters.inc('bpftrace_restarts');
      this.downSince ??= Date.now();
      const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
      this.failures++;
      this.opts.log.error('bpftrace died; restarting', { reason: why, retry_in_ms: delay });
      // Ref'd on purpose: while bpftrace is down this timer is what keeps the agent alive.
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.spawn();
      }, delay);
    });
  }

  private onAttached(): void {
    if (this.downSince !== undefined) {
      this.opts.log.warn('bpftrace restarted; events in the gap were not observed', {
        gap_start: new Date(this.downSince).toISOString(),
        gap_end: new Date().toISOString(),
        gap_ms: Date.now() - this.downSince,
      });
      this.downSince = undefined;
    }
    setTimeout(() => {
      this.failures = 0;
    }, 60000).unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    await child;
  }
}

/** split2 drops over-long lines silently; its `overflow` flag going up marks each drop. */
function countOverflows(stream: object, onOverflow: () => void): void {
  let value = false;
  Object.defineProperty(stream, 'overflow', {
    get: () => value,
    set: (v: boolean) => {
      if (v && !value) onOverflow();
      value = v;
    },
  });
}
