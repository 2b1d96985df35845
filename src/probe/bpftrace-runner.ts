// Runs the bundled bpftrace script as one child process and hands its stdout lines on.
// Waits for the BEGIN marker (printed after every probe attached), restarts bpftrace with
// backoff when it dies, and never leaves it orphaned: setpriv --pdeathsig covers SIGKILL of
// the agent, execa's cleanup covers a normal exit. The script goes in on stdin, rewritten
// for the kernel's capability layout (probeScriptFor), which is read once from BTF.

import { existsSync, readFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { Counters } from '../util/counters.js';
import type { Logger } from '../util/log.js';
import { CodedError } from '../util/coded-error.js';
import { BatchedPipe } from './batched-pipe.js';
import { LineSplitter } from './line-splitter.js';

export interface RunnerOptions {
  script: string;
  bpftrace?: string;
  /** the probe reads exec environments (positional parameter 1): only for a configured allow-list */
  captureEnv?: boolean;
  maxLineBytes?: number;
  readyTimeoutMs?: number;
  /** the lines of one read of bpftrace's stdout, in order */
  onLines: (lines: string[]) => void;
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

/** How the kernel lays out kernel_cap_t: `struct { u64 val; }` since Linux 6.3, before it
 * `struct kernel_cap_struct { __u32 cap[2]; }`. */
export type CapShape = 'u64' | 'u32x2';

/** The BTF query whose output capShape reads: the named struct exists only before 6.3. */
export const CAP_SHAPE_QUERY = ['-lv', 'struct kernel_cap_struct'];

/** `bpftrace -lv 'struct kernel_cap_struct'` output -> the layout; anything else is the 6.3+ one. */
export function capShape(listing: string): CapShape {
  return /^\s*(?:__)?u32\s+cap\[2\];/m.test(listing) ? 'u32x2' : 'u64';
}

// the script's capability reads, written for 6.3+ (its text stays loadable as shipped)
const CAP_READ = /(\$t->cred->cap_(?:effective|permitted))\.val\b/g;
const CAP_READS = 2;

/** The script text for a capability layout: for u32x2, each `X.val` becomes the same u64 built
 * from `X.cap[0]` (low word) and `X.cap[1]`; the P record keeps its format. */
export function probeScriptFor(text: string, shape: CapShape): string {
  if (shape === 'u64') return text;
  let n = 0;
  const out = text.replace(CAP_READ, (_whole, mask: string) => {
    n++;
    return `((uint64)${mask}.cap[0] | ((uint64)${mask}.cap[1] << 32))`;
  });
  if (n !== CAP_READS) throw new BpftraceError('BPFTRACE_START', `probe script: expected ${CAP_READS} capability reads to rewrite for kernel_cap_t cap[2], found ${n}`);
  return out;
}

/** Asks bpftrace (through BTF) for the kernel's capability layout; 6.3+ when it cannot tell. */
export async function detectCapShape(bt = 'bpftrace'): Promise<CapShape> {
  const r = await execa(bt, CAP_SHAPE_QUERY, { reject: false, timeout: 20000, stdin: 'ignore' });
  return capShape(String(r.stdout ?? ''));
}

/** bpftrace reading the program from stdin (`input`), so the text can differ from the file. */
export function bpftraceCommand(opts: { bpftrace?: string; captureEnv?: boolean }): { file: string; args: string[] } {
  const bt = opts.bpftrace ?? 'bpftrace';
  const args = ['-f', 'json', '-', ...(opts.captureEnv ? ['1'] : [])];
  return existsSync('/usr/bin/setpriv')
    ? { file: '/usr/bin/setpriv', args: ['--pdeathsig', 'KILL', '--', bt, ...args] }
    : { file: bt, args };
}

export class BpftraceRunner {
  private child: ResultPromise | undefined;
  private pipe: BatchedPipe | undefined;
  private stopping = false;
  private failures = 0;
  private downSince: number | undefined;
  private stderrTail: string[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private scriptText: string | undefined;
  /** the capability layout the script was written for (known once start() has run) */
  capShape: CapShape | undefined;
  /** true while a bpftrace has attached its probes and not exited */
  up = false;

  constructor(private readonly opts: RunnerOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once bpftrace has attached every probe; rejects if the first start fails. */
  async start(): Promise<void> {
    let text: string;
    try {
      text = readFileSync(this.opts.script, 'utf8');
    } catch (e) {
      throw new BpftraceError('BPFTRACE_START', `probe script ${this.opts.script}: ${(e as Error).message}`);
    }
    this.capShape = await detectCapShape(this.opts.bpftrace);
    this.scriptText = probeScriptFor(text, this.capShape);
    if (this.stopping) throw new BpftraceError('BPFTRACE_START', 'stopped before bpftrace started');
    return new Promise((resolve, reject) => this.spawn(resolve, reject));
  }

  private spawn(onReady?: () => void, onFail?: (e: Error) => void): void {
    const { file, args } = bpftraceCommand(this.opts);
    let ready = false;
    const timer: { id?: NodeJS.Timeout } = {};
    const stdout = new LineSplitter(this.opts.maxLineBytes ?? 1 << 20, (lines) => {
      if (!ready && lines.some((l) => l.startsWith(READY_PREFIX))) {
        ready = true;
        this.up = true;
        clearTimeout(timer.id);
        this.onAttached();
        onReady?.();
      }
      this.opts.onLines(lines);
    }, () => this.opts.counters.inc('probe_lines_overflowed'));
    let pipe: BatchedPipe;
    try {
      pipe = new BatchedPipe((bytes) => stdout.write(bytes), () => stdout.end());
    } catch (e) {
      const why = `no pipe for bpftrace's output: ${(e as Error).message}`;
      if (onFail) onFail(new BpftraceError('BPFTRACE_START', why));
      else this.restartLater(why);
      return;
    }
    const child = execa(file, args, {
      env: { BPFTRACE_STRLEN: '160', BPFTRACE_PERF_RB_PAGES: '1024' },
      // execa passes any fd number on (its types name only 1-9)
      input: this.scriptText, stdout: pipe.writeFd as 1, buffer: false, reject: false, cleanup: true,
      killSignal: 'SIGTERM', forceKillAfterDelay: 3000,
    });
    pipe.closeWriteEnd();
    this.child = child;
    this.pipe = pipe;
    this.stderrTail = [];
    timer.id = setTimeout(() => {
      if (!ready) child.kill('SIGKILL');
    }, this.opts.readyTimeoutMs ?? 30000);

    const stderr = new LineSplitter(1 << 16, (lines) => {
      for (const line of lines) {
        if (NOISE.test(line) || !line.trim()) continue;
        this.stderrTail.push(line);
        if (this.stderrTail.length > 20) this.stderrTail.shift();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => stderr.write(chunk)).once('end', () => stderr.end());
    // 'exit' comes at once; the result waits for the pipes to drain
    child.once('exit', () => {
      this.up = false;
    });
    void child.then((result) => {
      clearTimeout(timer.id);
      if (this.stopping) return;
      const why = `bpftrace exited (${result.signal ?? `code ${result.exitCode}`}): ${this.stderrTail.join(' | ') || 'no message'}`;
      if (!ready && onFail) {
        onFail(new BpftraceError('BPFTRACE_START', why));
        return;
      }
      this.restartLater(why);
    });
  }

  /** bpftrace is down (it died, or could not be started again): another try after a backoff. */
  private restartLater(why: string): void {
    this.opts.counters.inc('bpftrace_restarts');
    this.downSince ??= Date.now();
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    this.failures++;
    this.opts.log.error('bpftrace died; restarting', { reason: why, retry_in_ms: delay });
    // Ref'd on purpose: while bpftrace is down this timer is what keeps the agent alive.
    this.restartTimer = setTimeout(() => {
      if (!this.stopping) this.spawn();
    }, delay);
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
    const { child, pipe } = this;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await child;
    }
    // every line bpftrace wrote is read before stop() returns (end of file follows its exit)
    if (pipe) {
      const late = setTimeout(() => pipe.destroy(), 5000);
      await pipe.closed;
      clearTimeout(late);
    }
  }

}
