// Issue 7 acceptance 6: /metrics and /healthz answer on loopback only, and the counters move
// with events, drops and alerts; /healthz fails while bpftrace is down.

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { descendants, startAgentProcess } from '../helpers/agent-harness.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

describe.skipIf(skipKernel)('metrics and health', () => {
  it('counts events and alerts, fails health while bpftrace is down, loopback only', async () => {
    const agent = await startAgentProcess();
    try {
      const base = `http://${agent.metrics}`;
      expect(agent.metrics).toMatch(/^127\.0\.0\.1:\d+$/);
      const before = await (await fetch(`${base}/metrics`)).text();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await execa('sh', ['-c', 'for i in 1 2 3 4 5; do /bin/true; done']);
      const nc = execa('nc', ['-l', '-p', '47001'], { reject: false });
      await sleep(300);
      await execa('nc', ['-N', '127.0.0.1', '47001'], { input: 'x', reject: false });
      await nc;
      await sleep(1500);
      const after = await (await fetch(`${base}/metrics`)).text();
      expect(metric(after, 'nightjar_events_total{kind="exec"}')).toBeGreaterThanOrEqual(metric(before, 'nightjar_events_total{kind="exec"}') + 5 || 5);
      expect(metric(after, 'nightjar_alerts_written_total')).toBeGreaterThanOrEqual(1);
      expect(metric(after, 'nightjar_bpftrace_up')).toBe(1);
      expect(after).toMatch(/^nightjar_process_table_size \d+$/m);
      expect(after).toMatch(/^nightjar_pending_sequences \d+$/m);

      // not reachable on the host's other addresses
      const port = Number(agent.metrics.split(':')[1]);
      const other = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
      if (other) await expect(fetch(`http://${other.address}:${port}/metrics`)).rejects.toThrow();

      // bpftrace down -> 503, restarted -> 200, restarts counted
      const bt = descendants(agent.proc.pid!).find((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bpftrace')!;
      process.kill(bt, 'SIGKILL');
      // the kernel needs a second or so to tear a killed bpftrace's probes down
      let status = 200;
      for (let i = 0; i < 100 && status === 200; i++) {
        await sleep(50);
        status = (await fetch(`${base}/healthz`)).status;
      }
      expect(status).toBe(503);
      await agent.waitForLog((l) => l.includes('events in the gap were not observed'), 20000);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(metric(await (await fetch(`${base}/metrics`)).text(), 'nightjar_bpftrace_restarts_total')).toBe(1);
    } finally {
      await agent.stop();
    }
  });
});
