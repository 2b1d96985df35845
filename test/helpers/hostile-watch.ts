// Watching the agent under attack: /metrics counters, its RSS, the alert log, and the events
// file read incrementally without keeping it (floods write hundreds of MB of it).

import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import type { AgentHarness } from './agent-harness.js';

/** Every counter and gauge on /metrics, by its full name with labels. */
export async function scrape(agent: AgentHarness): Promise<Map<string, number>> {
  const text = await (await fetch(`http://${agent.metrics}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(nightjar_\S+) (\d+(?:\.\d+)?)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** Counters through which the agent reports an event it could not deliver whole. */
export const LOSS_COUNTERS = [
  'nightjar_probe_records_lost_total', 'nightjar_probe_lines_malformed_total', 'nightjar_probe_lines_overflowed_total',
  'nightjar_exec_partials_orphaned_total', 'nightjar_events_file_dropped_total', 'nightjar_events_file_write_failed_total',
];

/** Sum of LOSS_COUNTERS moved between two scrapes. */
export const countedLoss = (before: Map<string, number>, after: Map<string, number>) =>
  LOSS_COUNTERS.reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);

export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's RSS every 250 ms until stopped; returns the peak. */
export function rssPeak(pid: number): { stop(): number } {
  let peak = rssBytes(pid);
  const t = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      /* exited: the test sees that elsewhere */
    }
  }, 250);
  return {
    stop() {
      clearInterval(t);
      return peak;
    },
  };
}

/** Reads the events file from where it last stopped; each whole line goes to onEvent. */
export class EventTail {
  private offset = 0;
  private rest = '';
  private readonly utf8 = new StringDecoder('utf8');

  /** only lines containing `mustContain` are parsed and handed on */
  constructor(private readonly path: string, private readonly onEvent: (e: EcsDoc) => void, private readonly mustContain = '') {}

  /** From the current end on: what is there now is skipped. */
  skipToEnd(): this {
    this.poll(() => undefined);
    return this;
  }

  poll(each = this.onEvent): number {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return 0;
    }
    const buf = Buffer.allocUnsafe(8 << 20);
    let n = 0;
    try {
      for (;;) {
        const got = readSync(fd, buf, 0, buf.length, this.offset);
        if (got === 0) break;
        this.offset += got;
        const lines = (this.rest + this.utf8.write(buf.subarray(0, got))).split('\n');
        this.rest = lines.pop()!;
        for (const l of lines) {
          if (!l || !l.includes(this.mustContain)) continue;
          each(JSON.parse(l) as EcsDoc);
          n++;
        }
      }
    } finally {
      closeSync(fd);
    }
    return n;
  }

  /** Polls until pred holds (checked after each poll) or the time is up; returns whether it held. */
  async until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      this.poll();
      if (pred()) return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const field = (e: EcsDoc, p: string) => getPath(e, p);

/** A rule file that fires on the exec of a process named `name`. */
export const execRule = (name: string, description: string) => `
[rule]
name = "${name}"
description = "${description}"
risk_score = 21
rule_id = "${name}-1"
severity = "low"
type = "eql"
query = 'process where event.action == "exec" and process.name == "${name}"'
`;
