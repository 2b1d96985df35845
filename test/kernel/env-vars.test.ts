// events.env_vars: the probe reads exec environments only when an allow-list is configured, and
// only the allowed NAME=value entries reach process.env_vars; by default none is read.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { skipKernel } from '../helpers/kernel-guard.js';

const marker = (m: string) => (e: EcsDoc) =>
  getPath(e, 'event.action') === 'exec' && (getPath(e, 'process.args') as string[] | undefined)?.[1] === m;

describe.skipIf(skipKernel)('exec environment allow-list (real kernel)', () => {
  let agent: AgentHarness;
  beforeAll(async () => {
    const config = `${mkdtempSync(`${tmpdir()}/nightjar-env-`)}/config.yaml`;
    writeFileSync(config, 'events:\n  env_vars: [NJ_ALLOWED, LANG]\n');
    agent = await startAgentProcess(['--config', config]);
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('keeps only the allowed entries, exactly, and nothing else of the environment', async () => {
    const m = `nj-env-${process.pid}`;
    await execa('/bin/true', [m], { env: { NJ_ALLOWED: 'a b=c', NJ_SECRET: 'hunter22', LANG: 'C.UTF-8' }, extendEnv: false });
    const ev = await agent.waitFor(marker(m));
    expect((getPath(ev, 'process.env_vars') as string[]).sort()).toEqual(['LANG=C.UTF-8', 'NJ_ALLOWED=a b=c']);
    expect(JSON.stringify(ev)).not.toContain('hunter22');
    expect(ecsProblems(ev)).toEqual([]);
  });
});

describe.skipIf(skipKernel)('exec environment by default (real kernel)', () => {
  let agent: AgentHarness;
  beforeAll(async () => {
    agent = await startAgentProcess();
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('carries no process.env_vars', async () => {
    const m = `nj-noenv-${process.pid}`;
    await execa('/bin/true', [m], { env: { NJ_ALLOWED: 'x' }, extendEnv: false });
    const ev = await agent.waitFor(marker(m));
    expect(getPath(ev, 'process.env_vars')).toBeUndefined();
  });
});
