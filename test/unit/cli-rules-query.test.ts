// `nightjar rules check` diagnostics and `nightjar query` output, through the built CLI.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { execEvent, networkEvent } from '../helpers/ecs-fixtures.js';
import { ecsFieldsFile } from '../helpers/ecs-validate.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

const dir = mkdtempSync(`${tmpdir()}/nightjar-cli-`);
const nj = (args: string[], input?: string) => execa(NIGHTJAR_BIN, args, { reject: false, input });

const RULE = (query: string, extra = '') => `[metadata]
creation_date = "2026/01/01"

[rule]
author = ["test"]
description = "d"
name = "n"
risk_score = 21
rule_id = "r-${Math.random()}"
severity = "low"
type = "eql"
${extra}query = '''
${query}
'''
`;

describe('nightjar rules check', () => {
  it('accepts the bundled rules, with no ECS warnings', async () => {
    const r = await nj(['rules', 'check', '--ecs', ecsFieldsFile()]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('2 rule(s) valid, 0 error(s), 0 warning(s)');
    expect(r.stderr).toBe('');
  });

  it('reports an EQL error at its file:line:col with a caret, exit 2', async () => {
    const f = `${dir}/bad-eql.toml`;
    writeFileSync(f, RULE('process where\n  process.name == "nc" AND true'));
    const r = await nj(['rules', 'check', f]);
    expect(r.exitCode).toBe(2);
    // the query starts on line 13 of the file; AND is on the query's line 2, column 24
    expect(r.stderr).toContain(`${f}:14:24: error EQL_SYNTAX:`);
    expect(r.stderr).toContain('  process.name == "nc" AND true\n');
    expect(r.stderr).toMatch(/\n {25}\^/);
  });

  it('reports broken TOML and schema errors with their lines', async () => {
    writeFileSync(`${dir}/bad-toml.toml`, '[rule]\nname = "x\n');
    writeFileSync(`${dir}/bad-schema.toml`, RULE('process where true', 'risk_score_extra = 1\n').replace('severity = "low"', 'severity = "urgent"'));
    const r = await nj(['rules', 'check', `${dir}/bad-toml.toml`, `${dir}/bad-schema.toml`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${dir}/bad-toml.toml:2:\\d+: error RULE_TOML`));
    expect(r.stderr).toContain(`${dir}/bad-schema.toml:10:1: error RULE_SCHEMA: rule.severity`);
  });

  it('warns about fields outside ECS', async () => {
    const f = `${dir}/odd-field.toml`;
    writeFileSync(f, RULE('process where process.nmae == "nc"'));
    const r = await nj(['rules', 'check', '--ecs', ecsFieldsFile(), f]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('warning RULE_FIELD: field process.nmae is not in ECS');
  });

  it('lists the fields each rule reads that a recording never carries (--fields)', async () => {
    const rules = mkdtempSync(`${dir}/fields-`);
    writeFileSync(`${rules}/a.toml`, RULE('process where process.name == "nc" and process.working_directory == "/tmp"'));
    writeFileSync(`${rules}/b.toml`, RULE('process where process.name == "nc" and user.Ext.real.id == "0" and ?process.tty.char_device.major == 4'));
    const events = `${dir}/recorded.ndjson`;
    writeFileSync(events, `${JSON.stringify({ process: { name: 'nc', working_directory: '/' } })}\nnot json\n`);
    const r = await nj(['rules', 'check', '--fields', events, rules]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${rules}/b.toml: never carried: user.Ext.real.id; optional, never carried: process.tty.char_device.major`,
      `1 of 2 rule(s) reference only fields that the 1 event(s) of ${events} carry`,
      '2 rule(s) valid, 0 error(s), 0 warning(s)',
    ]);
    expect(r.stderr).toContain('recorded.ndjson:2: not a JSON object, skipped');
  });
});

describe('nightjar query', () => {
  const p = { entity: 'E1', pid: 7, args: ['nc', '-l', '-p', '1'] };
  const input = [execEvent(p), networkEvent(p, 'connection_accepted'), execEvent({ entity: 'E2', pid: 8, args: ['ls'] })]
    .map((e) => JSON.stringify(e)).join('\n');

  it('prints matching events as NDJSON', async () => {
    const r = await nj(['query', 'process where process.name : "NC"', '-'], input);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').map((l) => JSON.parse(l) as { process: { pid: number } });
    expect(lines.map((l) => l.process.pid)).toEqual([7]);
  });

  it('prints sequences with their join keys', async () => {
    const r = await nj(['query', 'sequence by process.entity_id [process where true] [network where true]', '-'], input);
    expect(r.exitCode).toBe(0);
    const [line] = r.stdout.split('\n').map((l) => JSON.parse(l) as { sequence: unknown[]; join_keys: unknown[] });
    expect(line!.sequence).toHaveLength(2);
    expect(line!.join_keys).toEqual(['E1']);
  });

  it('rejects an invalid query with exit 2 and the position', async () => {
    const r = await nj(['query', "process where process.name == 'nc'", '-'], input);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^nightjar: EQL_LEX: use double quotes.*\(1:31\)$/);
  });

  it('counts malformed lines, skips them and exits 1', async () => {
    const r = await nj(['query', 'process where true', '-'], `${input}\n{not json\n[1]\n`);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('-:4: not a JSON object, skipped');
  });
});

describe('nightjar config', () => {
  it('prints the effective config with secrets masked, and rejects typos with the path', async () => {
    writeFileSync(`${dir}/config.yaml`, 'alerts:\n  path: /tmp/x.ndjson\nmetrics: { listen: "127.0.0.1:9999" }\n');
    const r = await nj(['config', 'print', '--config', `${dir}/config.yaml`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('path: /tmp/x.ndjson');
    expect(r.stdout).toContain('max_bytes: 104857600');
    writeFileSync(`${dir}/typo.yaml`, 'alerts:\n  pth: /tmp/x\n');
    const bad = await nj(['config', 'check', '--config', `${dir}/typo.yaml`]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/typo\.yaml: alerts: Unrecognized key.* alerts\.pth/);
  });

  it('outputs: a typo, a wrong type, a missing CA file and plain http are refused with the path and the reason', async () => {
    const cases: [string, RegExp][] = [
      ['outputs:\n  - { name: es, type: elasticsearch, ulrs: ["https://h:9200"] }\n', /outputs\.0\.urls: Required.*outputs\.0: Unrecognized key.* outputs\.0\.ulrs/],
      ['outputs:\n  - { name: es, type: elasticsearch, urls: ["https://h"], batch: { max_alerts: "500" } }\n', /outputs\.0\.batch\.max_alerts: Expected number, received string/],
      ['outputs:\n  - { name: es, type: elasticsearch, urls: ["https://h"], tls: { ca_file: /nonexistent/ca.pem } }\n', /outputs\.0\.tls\.ca_file: \/nonexistent\/ca\.pem: no such file/],
      ['outputs:\n  - { name: hook, type: webhook, url: "http://h/x" }\n', /outputs\.0\.allow_http: http:\/\/h\/x is plain http/],
      ['outputs:\n  - { name: x, type: kafka }\n', /outputs\.0\.type: Invalid discriminator value\. Expected 'elasticsearch' \| 'webhook'/],
      ['outputs:\n  - { name: a, type: webhook, url: "https://h" }\n  - { name: a, type: webhook, url: "https://h" }\n', /outputs\.1\.name: duplicate output name a/],
    ];
    for (const [yaml, want] of cases) {
      writeFileSync(`${dir}/out.yaml`, yaml);
      const r = await nj(['config', 'check', '--config', `${dir}/out.yaml`]);
      expect(r.exitCode, yaml).toBe(2);
      expect(r.stderr).toMatch(want);
    }
    // the agent refuses the same config before it starts anything
    writeFileSync(`${dir}/out.yaml`, cases[2]![0]);
    const run = await nj(['run', '--config', `${dir}/out.yaml`]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/outputs\.0\.tls\.ca_file: \/nonexistent\/ca\.pem: no such file/);
    writeFileSync(`${dir}/ok.yaml`, 'outputs:\n  - { name: es, type: elasticsearch, urls: ["https://h"], api_key: c2VjcmV0LWlk }\n  - { name: hook, type: webhook, url: "https://h/x", headers: { X-Auth: hunter2 }, bearer_token: { env: TOKEN } }\n');
    const printed = await nj(['config', 'print', '--config', `${dir}/ok.yaml`]);
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).not.toMatch(/c2VjcmV0LWlk|hunter2/);
    expect(printed.stdout).toContain('env: TOKEN');
    expect(printed.stdout).toContain('data_stream: logs-nightjar.alerts-default');
  });

  it('NIGHTJAR_* environment variables override the file, and a wrong one is refused naming the variable', async () => {
    writeFileSync(`${dir}/env.yaml`, 'alerts:\n  path: /tmp/file.ndjson\n  rotate: { keep: 9 }\n');
    // NIGHTJAR_SHARED names no config key: left alone, like any other program's variable
    const env = { NIGHTJAR_ALERTS__ROTATE__KEEP: '3', NIGHTJAR_STATE_DIR: '/srv/nj', NIGHTJAR_METRICS__LISTEN: '127.0.0.1:9999', NIGHTJAR_SHARED: '/x' };
    const r = await execa(NIGHTJAR_BIN, ['config', 'print', '--config', `${dir}/env.yaml`], { reject: false, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/from .*env\.yaml \+ environment NIGHTJAR_ALERTS__ROTATE__KEEP, NIGHTJAR_METRICS__LISTEN, NIGHTJAR_STATE_DIR/);
    expect(r.stdout).toMatch(/keep: 3/);
    expect(r.stdout).toMatch(/path: \/tmp\/file\.ndjson/);
    expect(r.stdout).toMatch(/state_dir: \/srv\/nj/);
    expect(r.stdout).toMatch(/listen: 127\.0\.0\.1:9999/);
    const bad = await execa(NIGHTJAR_BIN, ['config', 'check', '--config', `${dir}/env.yaml`], { reject: false, env: { NIGHTJAR_ALERTS__PTH: '/x', NIGHTJAR_ALERTS__ROTATE__KEEP: 'many' } });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/environment NIGHTJAR_ALERTS__PTH, NIGHTJAR_ALERTS__ROTATE__KEEP: alerts\.rotate\.keep: Expected number, received string; alerts: Unrecognized key.* alerts\.pth/);
  });

  it('masks secret-looking values', async () => {
    const { maskSecrets } = await import('../../src/cli/config-command.js');
    expect(maskSecrets({ a: { password: 'p', api_key: 'k', api_key_file: '/f', token: '' } })).toEqual({ a: { password: '********', api_key: '********', api_key_file: '/f', token: '' } });
  });
});
