// Runs the built agent (`bin/nightjar run`) as a child process and reads the ECS events it
// records with --events, for kernel tests.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa, type ResultPromise } from 'execa';
import type { EcsDoc } from '../../src/ecs/ecs-event.js';
import { LineSplitter } from '../../src/probe/line-splitter.js';
import { NIGHTJAR_BIN } from './paths.js';

export interface AgentHarness {
  proc: ResultPromise;
  dir: string;
  eventsPath: string;
  logLines: string[];
  readyMs: number;
  /** host:port of /metrics and /healthz */
  metrics: string;
  events(): EcsDoc[];
  /** the alert log so far (alerts.ndjson in dir); none when it does not exist yet */
  alerts(): EcsDoc[];
  waitFor(pred: (e: EcsDoc) => boolean, timeoutMs?: number): Promise<EcsDoc>;
  waitForAll(pred: (e: EcsDoc) => boolean, count: number, timeoutMs?: number): Promise<EcsDoc[]>;
  waitForLog(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How the agent is started: by default the CLI itself; a test may wrap it (in a container). */
export type Launcher = (dir: string, agentArgs: string[]) => { file: string; args: string[] };

const direct: Launcher = (_dir, agentArgs) => ({ file: NIGHTJAR_BIN, args: agentArgs });

export async function startAgentProcess(extraArgs: string[] = [], env: Record<string, string> = {}, launch: Launcher = direct): Promise<AgentHarness> {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-test-`);
  const eventsPath = `${dir}/events.ndjson`;
  const t0 = Date.now();
  // an empty config: tests never depend on the host's /etc/nightjar/config.yaml
  writeFileSync(`${dir}/config.yaml`, '');
  const cmd = launch(dir, ['run', '--config', `${dir}/config.yaml`, '--events', eventsPath, '--state-dir', `${dir}/state`, '--alerts', `${dir}/alerts.ndjson`, '--metrics', '127.0.0.1:0', ...extraArgs]);
  const proc = execa(cmd.file, cmd.args, { env, stdin: 'ignore', buffer: false, reject: false });
  const logLines: string[] = [];
  const stderr = new LineSplitter(1 << 20, (lines) => logLines.push(...lines));
  proc.stderr!.on('data', (chunk: Buffer) => stderr.write(chunk)).once('end', () => stderr.end());
  proc.stdout!.resume();

  let offset = 0;
  const cache: EcsDoc[] = [];
  const events = () => {
    let text = '';
    try {
      const buf = readFileSync(eventsPath);
      const end = buf.lastIndexOf(0x0a) + 1;
      if (end > offset) text = buf.toString('utf8', offset, end);
      offset = Math.max(offset, end);
    } catch {
      return cache;
    }
    for (const line of text.split('\n')) if (line) cache.push(JSON.parse(line) as EcsDoc);
    return cache;
  };
  const alerts = () => {
    try {
      return readFileSync(`${dir}/alerts.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc);
    } catch {
      return [];
    }
  };
  const waitForLog = async (pred: (l: string) => boolean, timeoutMs = 15000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = logLines.find(pred);
      if (hit) return hit;
      if (proc.exitCode !== null) throw new Error(`agent exited: ${logLines.join('\n')}`);
      if (Date.now() > end) throw new Error(`timed out waiting for a log line; log:\n${logLines.join('\n')}`);
      await sleep(20);
    }
  };
  const waitForAll = async (pred: (e: EcsDoc) => boolean, count: number, timeoutMs = 10000) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hits = events().filter(pred);
      if (hits.length >= count || Date.now() > end) return hits;
      await sleep(50);
    }
  };
  const ready = await waitForLog((l) => l.includes('"msg":"ready"'), 30000);
  const readyMs = Date.now() - t0;
  const metrics = (JSON.parse(ready) as { metrics: string }).metrics;
  return {
    proc, dir, eventsPath, logLines, readyMs, metrics, events, alerts, waitForLog, waitForAll,
    async waitFor(pred, timeoutMs = 10000) {
      const [hit] = await waitForAll(pred, 1, timeoutMs);
      if (!hit) throw new Error('timed out waiting for an event');
      return hit;
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await proc;
    },
  };
}

/** A process's descendants' pids, read from /proc (children lists). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let kids: string;
    try {
      kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8');
    } catch {
      return;
    }
    for (const k of kids.split(' ').filter(Boolean).map(Number)) {
      out.push(k);
      walk(k);
    }
  };
  walk(pid);
  return out;
}
