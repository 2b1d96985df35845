// No configured secret, in any form, reaches any output: real HTTPS servers (test CA) echo the
// credentials they receive in every error shape they have, and every sink is searched for them.

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { parseConfig } from '../../src/config/load-config.js';
import { deadLetterDoc } from '../../src/delivery/dead-letter.js';
import { makeSender } from '../../src/delivery/delivery.js';
import { excerpt, toQueued } from '../../src/delivery/sender.js';
import { createLogger } from '../../src/util/log.js';
import { redact, registerSecret } from '../../src/util/redact.js';
import { AlertSinkServer } from '../helpers/alert-sink-server.js';
import { deliveryRig, until } from '../helpers/delivery-rig.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const S = {
  fileKeyId: 'esfileid01', fileKey: 'FileKey-7f3a9c2e1b',
  inlineIdKey: 'esinlineid02:InlineKey-4d8e2a6f0c',
  user: 'nightjar-user', envPass: 'EnvPass-9b1c7e3a5d',
  bearer: 'BearerTok-2c6e0a8f4b',
  hdrInline: 'HdrInline-5a3f1d9b7e', hdrFile: 'HdrFile-8e2c4a6f0d', hdrEnv: 'HdrEnv-1f7b3d5c9a',
  urlUser: 'hookuser', urlPass: 'UrlPass-6d0b8f2a4c',
};
const fileEncoded = b64(`${S.fileKeyId}:${S.fileKey}`);

/** Every form a configured secret takes: raw, on the wire, decoded; and fragments that betray a half mask. */
const FORMS = [
  fileEncoded, `${S.fileKeyId}:${S.fileKey}`, S.fileKey,
  S.inlineIdKey, b64(S.inlineIdKey), 'InlineKey-4d8e2a6f0c',
  S.envPass, `${S.user}:${S.envPass}`, b64(`${S.user}:${S.envPass}`),
  S.bearer, S.hdrInline, S.hdrFile, S.hdrEnv,
  S.urlPass, `${S.urlUser}:${S.urlPass}`, b64(`${S.urlUser}:${S.urlPass}`),
];
const FRAGMENTS = ['FileKey', 'InlineKey', 'EnvPass', 'BearerTok', 'HdrInline', 'HdrFile', 'HdrEnv', 'UrlPass', ...FORMS.filter((f) => /=$/.test(f) || f.length > 24).map((f) => f.slice(0, 16))];

let pki: TestPki;
let secretsDir: string;
const servers: AlertSinkServer[] = [];

/** What a server received in Authorization, decoded when it is Basic or ApiKey. */
function decodeAuth(auth: string): string {
  const m = /^(Basic|ApiKey) (\S+)$/.exec(auth);
  return m ? Buffer.from(m[2]!, 'base64').toString('utf8') : auth.replace(/^Bearer /, '');
}

/** A server that echoes what it received: 401, 403 and 500 for whole requests, then per-item errors (bulk) or a 422 (webhook). */
async function echoingServer(kind: 'es' | 'hook'): Promise<AlertSinkServer> {
  const s = await new AlertSinkServer(pki.server).start();
  servers.push(s);
  let headers: IncomingHttpHeaders = {};
  let n = 0;
  const body = (status: number) => {
    const auth = String(headers.authorization ?? '');
    const decoded = decodeAuth(auth);
    // the headers first: an excerpt of the answer (300 characters) must still hold them
    return JSON.stringify({
      request_headers: headers,
      error: {
        root_cause: [{ type: 'security_exception', reason: `unable to authenticate with provided credentials authorization=[${auth}]` }],
        type: 'security_exception', reason: `received ${decoded} (secret part ${decoded.split(':')[1] ?? decoded}) as ${auth}`,
        header: { 'WWW-Authenticate': auth },
      },
      status,
    });
  };
  s.onRequest = (r) => {
    headers = r.headers;
    const status = [401, 403, 500, ...(kind === 'hook' ? [422] : [])][n++];
    if (status) s.queuedAnswers.push({ status, body: body(status), headers: { 'www-authenticate': String(headers.authorization ?? '') } });
  };
  s.itemVerdict = (id, attempt) => {
    const auth = String(headers.authorization ?? '');
    const decoded = decodeAuth(auth);
    if (id.endsWith('-0') && attempt === 1) return { status: 403, error: { type: 'security_exception', reason: `action [indices:data/write/bulk[s]] is unauthorized for authorization=[${auth}] (${decoded})` } };
    if (id.endsWith('-0') && attempt === 2) return { status: 429, error: { type: 'es_rejected_execution_exception', reason: `rejected request carrying ${auth} ${decoded}` } };
    if (id.endsWith('-2')) return { status: 400, error: { type: 'document_parsing_exception', reason: `failed to parse; the caller sent ${auth}, that is ${decoded}, ${JSON.stringify(headers)}` } };
    return undefined;
  };
  return s;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = `${dir}/${f}`;
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function leaks(text: string): string[] {
  return [...FORMS, ...FRAGMENTS].filter((f) => text.includes(f));
}

beforeAll(() => {
  pki = makeTestPki();
  secretsDir = mkdtempSync(`${tmpdir()}/nightjar-secrets-`);
  writeFileSync(`${secretsDir}/es-key`, `${fileEncoded}\n`, { mode: 0o600 });
  writeFileSync(`${secretsDir}/x-header`, `${S.hdrFile}\n`, { mode: 0o600 });
  process.env.NJ_RED_PASS = S.envPass;
  process.env.NJ_RED_HDR = S.hdrEnv;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('secrets never reach an output', () => {
  it('every secret form, echoed by the servers in every error shape, is masked in the log, status, dead letters, checkpoints, /healthz, doctor and config print', async () => {
    const [esFile, esBasic, esInline, hook, hookUrl] = [await echoingServer('es'), await echoingServer('es'), await echoingServer('es'), await echoingServer('hook'), await echoingServer('hook')];
    const tls = `tls: { ca_file: ${pki.caCert} }`;
    const fast = (n: number) => `batch: { max_alerts: ${n}, max_wait_ms: 100 }\n    retry: { initial_ms: 50, max_ms: 200 }`;
    const outputs = `outputs:
  - name: es-file
    type: elasticsearch
    urls: ["${esFile.url}"]
    api_key: { file: ${secretsDir}/es-key }
    ${tls}
    ${fast(100)}
  - name: es-basic
    type: elasticsearch
    urls: ["${esBasic.url}"]
    username: ${S.user}
    password: { env: NJ_RED_PASS }
    ${tls}
    ${fast(100)}
  - name: es-inline
    type: elasticsearch
    urls: ["${esInline.url}"]
    api_key: "${S.inlineIdKey}"
    ${tls}
    ${fast(100)}
  - name: hook
    type: webhook
    url: ${hook.url}/hook
    bearer_token: ${S.bearer}
    headers: { X-Auth-Inline: ${S.hdrInline}, X-Auth-File: { file: ${secretsDir}/x-header }, X-Auth-Env: { env: NJ_RED_HDR } }
    ${tls}
    ${fast(1)}
  - name: hook-url
    type: webhook
    url: https://${S.urlUser}:${S.urlPass}@127.0.0.1:${hookUrl.port}/hook
    ${tls}
    ${fast(1)}
`;
    const rig = deliveryRig(outputs);
    const ids = rig.append(4);
    const esServers = [esFile, esBasic, esInline];
    await until(() => esServers.every((s) => s.accepted.length === 3) && hook.hookAccepted.length === 3 && hookUrl.hookAccepted.length === 3, 30000, 'every output past its errors');
    const healthz = rig.delivery.stuck(-1) ?? '';
    await rig.stop();

    // the servers did receive every credential, so each echo held a real secret
    expect(esFile.requests[0]!.headers.authorization).toBe(`ApiKey ${fileEncoded}`);
    expect(esBasic.requests[0]!.headers.authorization).toBe(`Basic ${b64(`${S.user}:${S.envPass}`)}`);
    expect(esInline.requests[0]!.headers.authorization).toBe(`ApiKey ${b64(S.inlineIdKey)}`);
    expect(hook.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${S.bearer}`, 'x-auth-inline': S.hdrInline, 'x-auth-file': S.hdrFile, 'x-auth-env': S.hdrEnv });
    expect(hookUrl.requests[0]!.headers.authorization).toBe(`Basic ${b64(`${S.urlUser}:${S.urlPass}`)}`);

    const log = rig.logs.map((l) => JSON.stringify(l)).join('\n');
    const stateFiles = allFiles(rig.dir);
    const files = Object.fromEntries(stateFiles.map((f) => [f, readFileSync(f, 'utf8')]));
    // every error shape reached the sinks, masked
    for (const shape of [/answered 401: .*security_exception/, /answered 403/, /answered 500/, /403 for some items: security_exception .*authorization=\[\*{8}\]/, /429 for some items/, /answered 422/]) {
      expect(log).toMatch(shape);
    }
    for (const name of ['es-file', 'es-basic', 'es-inline', 'hook', 'hook-url']) {
      const dl = files[`${rig.dir}/state/outputs/${name}.dead-letter.ndjson`];
      expect(dl, `${name} dead letter`).toContain('********');
      expect(files[`${rig.dir}/state/outputs/${name}.status.json`], `${name} status`).toMatch(/"last_error":".*\*{8}/);
      expect(files[`${rig.dir}/state/outputs/${name}.checkpoint.json`], `${name} checkpoint`).toBeDefined();
    }
    expect(JSON.parse(files[`${rig.dir}/state/outputs/es-file.dead-letter.ndjson`]!.split('\n')[0]!)).toMatchObject({ event_id: ids[2], status: 400 });
    expect(healthz).toContain('********');

    // doctor, with one status file as an agent without redaction would have left it
    const cfg = `${secretsDir}/config.yaml`;
    writeFileSync(cfg, `alerts: { path: ${rig.dir}/alerts.ndjson }\nstate_dir: ${rig.dir}/state\n${outputs}`);
    const beforeDoctor = files[`${rig.dir}/state/outputs/es-file.status.json`]!;
    const statusFile = `${rig.dir}/state/outputs/es-file.status.json`;
    writeFileSync(statusFile, JSON.stringify({ ...JSON.parse(beforeDoctor), last_error: `echo: ApiKey ${fileEncoded} ${S.fileKeyId}:${S.fileKey}` }));
    const doctor = await execa(NIGHTJAR_BIN, ['doctor', '--config', cfg, '--bpftrace', '/nonexistent/bpftrace'], { reject: false });
    expect(doctor.stdout).toMatch(/output es-file backlog: .*last error: echo: ApiKey \*{8} \*{8}/);
    expect(doctor.stdout).toMatch(/output hook backlog: .*last error: .*\*{8}/);
    const print = await execa(NIGHTJAR_BIN, ['config', 'print', '--config', cfg], { reject: false });
    expect(print.exitCode).toBe(0);
    expect(print.stdout).toMatch(/https:\/\/(hookuser:)?\*{8}@127\.0\.0\.1/);

    const outputsText: Record<string, string> = {
      'agent log': log, '/healthz stuck reason': healthz,
      doctor: doctor.stdout + doctor.stderr, 'config print': print.stdout + print.stderr,
      ...Object.fromEntries(Object.entries(files).filter(([f]) => f !== statusFile)),
      [statusFile]: beforeDoctor,
    };
    const found = Object.entries(outputsText).flatMap(([where, text]) => leaks(text).map((f) => `${where}: ${f}`));
    expect(found).toEqual([]);
  });

  it('each sink masks by itself: the log, a dead letter, a cut excerpt', () => {
    const secret = 'SinkOwnSecret-0a9b8c7d';
    registerSecret(secret);
    const lines: string[] = [];
    createLogger('debug', (l) => lines.push(l)).error(`failed with ${secret}`, { nested: { list: [`x ${secret}`] }, error: new Error(`boom ${secret}`) });
    expect(lines.join('')).not.toContain('SinkOwnSecret');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'failed with ********', nested: { list: ['x ********'] }, error: 'boom ********' });
    const dl = deadLetterDoc('o', { alert: toQueued(JSON.stringify({ event: { id: 'e1' }, message: secret })), status: 400, reason: `bad ${secret}` });
    expect(JSON.stringify(dl)).not.toContain('SinkOwnSecret');
    // a secret across the excerpt's cut is masked before the cut, never left half visible
    expect(excerpt(`${'x'.repeat(290)}${secret}`)).not.toContain('SinkOwn');
  });

  it('masks credential echoes by shape, without masking ordinary words', () => {
    expect(redact('security_exception: authorization=[ApiKey Zm9yZWlnbjprZXktbm90LWNvbmZpZ3VyZWQ=] for user')).toBe('security_exception: authorization=[********] for user');
    expect(redact('{"Authorization":"Bearer unknown-token-1"}')).toBe('{"Authorization":"Bearer ********"}');
    expect(redact('got ApiKey Zm9yZWlnbjprZXktbm90LWNvbmZpZ3VyZWQ= back')).toBe('got ApiKey ******** back');
    expect(redact('https://u:p%40ss@h:9200/')).toBe('https://u:********@h:9200/');
    const plain = 'check the API key privileges; outputs.0.headers.Authorization: environment variable X is not set; Basic authentication failed';
    expect(redact(plain)).toBe(plain);
  });

  it('refuses credentials shorter than 4 characters, inline or resolved, without printing them', () => {
    expect(() => parseConfig('outputs:\n  - { name: es, type: elasticsearch, urls: ["https://h"], api_key: "ab1" }\n', 't')).toThrow(/api_key.*shorter than 4 characters/);
    process.env.NJ_RED_SHORT = 'zq9';
    const cfg = parseConfig('outputs:\n  - { name: h, type: webhook, url: "https://h/x", bearer_token: { env: NJ_RED_SHORT } }\n', 't');
    expect(() => makeSender(cfg.outputs[0]!, 'outputs.0')).toThrow(/^outputs\.0\.bearer_token: shorter than 4 characters/);
    try {
      makeSender(cfg.outputs[0]!, 'outputs.0');
    } catch (e) {
      expect((e as Error).message).not.toContain('zq9');
    }
  });
});
