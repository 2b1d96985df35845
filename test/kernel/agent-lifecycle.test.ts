// Issue 2 acceptance 7-8: readiness means captured; no orphaned bpftrace; restart after a
// bpftrace death, with the gap logged.

import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { getPath } from '../../src/ecs/ecs-event.js';
import { descendants, startAgentProcess } from '../helpers/agent-harness.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const bpftracePids = (agentPid: number) =>
  descendants(agentPid).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bpftrace';
    } catch {
      return false;
    }
  });

describe.skipIf(skipKernel)('agent lifecycle', () => {
  it('captures a command started the moment it reports ready (10 of 10)', async () => {
    for (let i = 0; i < 10; i++) {
      const agent = await startAgentProcess();
      try {
        const child = execa('/bin/true', [`ready-probe-${i}`]);
        await child;
        const ev = await agent.waitFor((e) => getPath(e, 'process.pid') === child.pid && getPath(e, 'event.action') === 'exec', 5000);
        expect(getPath(ev, 'process.args')).toEqual(['/bin/true', `ready-probe-${i}`]);
      } finally {
        await agent.stop();
      }
    }
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no bpftrace running 2 s after the agent gets ${signal}, with no events flowing`, async () => {
      const agent = await startAgentProcess();
      const bts = bpftracePids(agent.proc.pid!);
      expect(bts.length).toBe(1);
      agent.proc.kill(signal);
      await agent.proc;
      await sleep(2000);
      expect(bts.filter(alive)).toEqual([]);
    });
  }

  it('restarts bpftrace when it dies and logs the gap', async () => {
    const agent = await startAgentProcess();
    try {
      const [first] = bpftracePids(agent.proc.pid!);
      process.kill(first!, 'SIGKILL');
      await agent.waitForLog((l) => l.includes('bpftrace died; restarting'));
      const gap = await agent.waitForLog((l) => l.includes('events in the gap were not observed'), 20000);
      expect(JSON.parse(gap)).toMatchObject({ gap_ms: expect.any(Number), gap_start: expect.any(String) });
      const [second] = bpftracePids(agent.proc.pid!);
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      const child = execa('/bin/true', ['after-restart']);
      await child;
      await agent.waitFor((e) => getPath(e, 'process.pid') === child.pid && getPath(e, 'event.action') === 'exec', 5000);
    } finally {
      await agent.stop();
    }
  });
});
