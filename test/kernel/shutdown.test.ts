// Issue 19 item 4: SIGTERM and SIGINT run the whole teardown whatever happened before, here
// after bpftrace was killed and restarted: `stopped` logged, exit 0, the alert log and the
// events file complete, no bpftrace left behind.

import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { descendants, startAgentProcess } from '../helpers/agent-harness.js';
import { hostNcListener } from '../helpers/host-nc.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let port = 51000 + (process.pid % 5000);

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const bpftracePids = (agentPid: number) => descendants(agentPid).filter((p) => comm(p) === 'bpftrace');

async function ncAlert(): Promise<number> {
  const p = ++port;
  await hostNcListener(p);
  return p;
}

function lines(path: string): { text: string; docs: EcsDoc[] } {
  const text = readFileSync(path, 'utf8');
  return { text, docs: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EcsDoc) };
}

describe.skipIf(skipKernel)('clean shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} after a bpftrace restart runs the whole teardown: stopped line, exit 0, files complete, no orphan`, async () => {
      const agent = await startAgentProcess();
      const alertsPath = `${agent.dir}/alerts.ndjson`;
      const [first] = bpftracePids(agent.proc.pid!);
      expect(first).toBeDefined();
      process.kill(first!, 'SIGKILL');
      await agent.waitForLog((l) => l.includes('bpftrace died; restarting'));
      await agent.waitForLog((l) => l.includes('events in the gap were not observed'), 30000);
      const second = bpftracePids(agent.proc.pid!);
      expect(second).toHaveLength(1);
      expect(second[0]).not.toBe(first);

      // an alert and events after the restart, then the signal at once
      let alertPort = 0;
      for (let i = 0; i < 3 && !alertPort; i++) {
        const p = await ncAlert();
        const end = Date.now() + 8000;
        while (Date.now() < end && !alertPort) {
          if (lines(alertsPath).docs.some((a) => (getPath(a, 'process.args') as string[] | undefined)?.includes(String(p)))) alertPort = p;
          else await sleep(100);
        }
      }
      expect(alertPort, agent.logLines.slice(-20).join('\n')).toBeGreaterThan(0);
      const marker = execa('/bin/true', [`shutdown-marker-${signal}`]);
      await marker;
      await agent.waitFor((e) => getPath(e, 'process.pid') === marker.pid && getPath(e, 'event.action') === 'exec');

      const t0 = Date.now();
      agent.proc.kill(signal);
      const r = await agent.proc;
      const exitMs = Date.now() - t0;
      expect(r.exitCode, agent.logLines.slice(-10).join('\n')).toBe(0);
      expect(r.signal).toBeUndefined();
      const stopped = agent.logLines.find((l) => l.includes('"msg":"stopped"'));
      expect(stopped).toBeDefined();
      expect(JSON.parse(stopped!)).toMatchObject({ bpftrace_restarts: 1 });
      // no error during teardown
      expect(agent.logLines.filter((l) => l.includes('teardown step failed'))).toEqual([]);

      // the alert log is whole and has the alert; the events file is whole and has the marker
      const alerts = lines(alertsPath);
      expect(alerts.text.endsWith('\n')).toBe(true);
      expect(alerts.docs.some((a) => (getPath(a, 'process.args') as string[]).includes(String(alertPort)))).toBe(true);
      const events = lines(agent.eventsPath);
      expect(events.text.endsWith('\n')).toBe(true);
      expect(events.docs.some((e) => (getPath(e, 'process.args') as string[] | undefined)?.includes(`shutdown-marker-${signal}`))).toBe(true);

      // bpftrace (both of them) gone, and nothing left under the agent's pid
      await sleep(500);
      expect([first!, ...second].filter(alive)).toEqual([]);
      expect(descendants(agent.proc.pid!)).toEqual([]);
      process.stdout.write(`shutdown: ${signal} after a bpftrace restart -> exit ${r.exitCode} in ${exitMs} ms, stopped line logged\n`);
    });
  }
});
