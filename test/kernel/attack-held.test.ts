// Issue 19 item 6, the cases that held: kill -STOP of bpftrace or of the agent for 20 s under
// an exec load (every unseen exec counted as loss, detection back after CONT), and the modes of
// what the agent writes (0640 files, 0750 directories, unreadable to nobody, even under umask 0).
// kill -9 of bpftrace is proven by metrics.test.ts and agent-lifecycle.test.ts.

import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { descendants, startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { asNobody, nobodyDir } from '../helpers/hostile-exec.js';
import { EventTail, countedLoss, execRule, scrape } from '../helpers/hostile-watch.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const get = (e: EcsDoc, p: string) => getPath(e, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STOP_S = 20;
// 4000-byte arguments: ~32 probe records an exec, so the stall overflows bpftrace's buffers sooner
const LOAD = 'big=$(printf "%4000s" x); i=0; while (( SECONDS < $1 )); do /bin/true nj-stopped $i "$big"; ((i++)); done; echo $i';
const RULE = execRule('nj-held', 'detection is back');

describe.skipIf(skipKernel)('attack: what held', () => {
  let agent: AgentHarness;
  let seen = 0;
  let tail: EventTail;
  let bin: string;
  beforeAll(async () => {
    bin = nobodyDir('nightjar-held-');
    symlinkSync('/bin/true', `${bin}/nj-held`);
    const rules = mkdtempSync(`${tmpdir()}/nightjar-held-rules-`);
    writeFileSync(`${rules}/held.toml`, RULE);
    agent = await startAgentProcess(['--rules', rules]);
    tail = new EventTail(agent.eventsPath, (e) => {
      if (get(e, 'event.action') === 'exec' && (get(e, 'process.args') as string[] | undefined)?.[1] === 'nj-stopped') seen++;
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const bpftracePid = () => descendants(agent.proc.pid!).find((p) => readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'bpftrace')!;

  for (const target of ['bpftrace', 'agent'] as const) {
    it(`kill -STOP of the ${target} for ${STOP_S} s under an exec load: every unseen exec counted, detection back after CONT`, async () => {
      tail.poll(() => undefined);
      seen = 0;
      const before = await scrape(agent);
      const pid = target === 'agent' ? agent.proc.pid! : bpftracePid();
      const load = execa(asNobody[0]!, [...asNobody.slice(1), '/bin/bash', '-c', LOAD, 'load', String(STOP_S)], { reject: false });
      process.kill(pid, 'SIGSTOP');
      const made = Number((await load).stdout);
      process.kill(pid, 'SIGCONT');
      const tCont = Date.now();

      // detection back: right after CONT the buffers are still full and the first execs may be
      // lost (counted); an exec every 250 ms until one is alerted on
      const probes = new Map<number, number>();
      let backMs = -1;
      for (let i = 0; i < 160 && backMs < 0; i++) {
        const probe = execa(`${bin}/nj-held`, [`after-cont-${i}`]);
        await probe;
        probes.set(probe.pid!, Date.now() - tCont);
        await sleep(250);
        const hit = agent.alerts().find((a) => get(a, 'rule.name') === 'nj-held' && probes.has(get(a, 'process.pid') as number));
        if (hit) backMs = probes.get(get(hit, 'process.pid') as number)!;
      }
      let last = -1;
      while (last !== seen) {
        last = seen;
        tail.poll();
        await sleep(1000);
      }
      const after = await scrape(agent);
      const loss = countedLoss(before, after);
      const lostRecords = (after.get('nightjar_probe_records_lost_total') ?? 0) - (before.get('nightjar_probe_records_lost_total') ?? 0);
      console.log(`STOP ${target} ${STOP_S} s: ${made} execs made, ${seen} seen, counted loss ${loss} (bpftrace lost records ${lostRecords}), first exec alerted on ran ${backMs} ms after CONT (${probes.size} tried)`);
      expect(backMs).toBeGreaterThanOrEqual(0);
      expect(seen).toBeLessThanOrEqual(made);
      expect(made - seen).toBeLessThanOrEqual(loss);
      expect(after.get('nightjar_bpftrace_up')).toBe(1);
      expect((await fetch(`http://${agent.metrics}/healthz`)).status).toBe(200);
    });
  }

  it('writes the alert log, events and state 0640 in 0750 directories, unreadable to nobody, even under umask 000', async () => {
    const umask0 = (_dir: string, args: string[]) => ({ file: '/bin/sh', args: ['-c', 'umask 000; exec "$0" "$@"', NIGHTJAR_BIN, ...args] });
    const a = await startAgentProcess(['--alerts', `${mkdtempSync(`${tmpdir()}/nightjar-held-`)}/log/alerts.ndjson`], {}, umask0);
    try {
      const alertsPath = (JSON.parse(a.logLines.find((l) => l.includes('"msg":"ready"'))!) as { alerts_path: string }).alerts_path;
      const logDir = alertsPath.slice(0, alertsPath.lastIndexOf('/'));
      const stateDir = `${a.dir}/state`;
      const inState = readdirSync(stateDir).map((f) => `${stateDir}/${f}`);
      const files = [alertsPath, a.eventsPath, ...inState.filter((f) => statSync(f).isFile())];
      const dirs = [logDir, stateDir, ...inState.filter((f) => statSync(f).isDirectory())];
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      expect(dirs.map(mode)).toEqual(dirs.map(() => '750'));
      expect(files.map(mode)).toEqual(files.map(() => '640'));
      // with every directory on the way opened up, the files' own modes still keep nobody out
      for (const d of [a.dir, logDir.slice(0, logDir.lastIndexOf('/')), ...dirs]) chmodSync(d, 0o755);
      for (const f of files) {
        const r = await execa(asNobody[0]!, [...asNobody.slice(1), '/bin/cat', f], { reject: false });
        expect([f, r.exitCode, r.stderr]).toEqual([f, 1, expect.stringContaining('Permission denied')]);
      }
      console.log(`file modes: ${files.length} files 0640 (${files.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(', ')}), ${dirs.length} directories 0750`);
    } finally {
      await a.stop();
    }
  });
});
