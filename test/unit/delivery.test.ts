// HTTPS delivery against a real HTTPS server on loopback with a test CA made by openssl:
// exactly-once by _id / idempotency key, retries as the server says, dead letters, TLS errors.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSinkServer } from '../helpers/alert-sink-server.js';
import { deadLetters, deliveryRig, until } from '../helpers/delivery-rig.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

let pki: TestPki;
const servers: AlertSinkServer[] = [];

async function sink(kind: 'server' | 'expired' | 'wrongName' = 'server', clientCa?: string): Promise<AlertSinkServer> {
  const s = await new AlertSinkServer({ ...pki[kind], clientCa }).start();
  servers.push(s);
  return s;
}

const esYaml = (url: string, extra = '') => `outputs:
  - name: es
    type: elasticsearch
    urls: ["${url}"]
    api_key: { env: NJ_TEST_API_KEY }
    tls: { ca_file: ${pki.caCert} }
    batch: { max_alerts: 200, max_wait_ms: 100 }
    retry: { initial_ms: 200, max_ms: 1000 }
${extra}`;

const errorsOf = (logs: Record<string, unknown>[]) => logs.filter((l) => l.level !== 'info').map((l) => `${String(l.msg)} ${String(l.error ?? l.reason ?? '')}`);

beforeAll(() => {
  pki = makeTestPki();
  process.env.NJ_TEST_API_KEY = 'bmotdGVzdDpzZWNyZXQta2V5LTEyMw==';
  process.env.NJ_TEST_TOKEN = 'hook-token-abcdef';
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe('delivery over HTTPS', () => {
  it('1,000 alerts reach _bulk and a webhook exactly once, authenticated, over TLS verified against the test CA', async () => {
    const s = await sink();
    const rig = deliveryRig(`${esYaml(s.url)}
  - name: hook
    type: webhook
    url: ${s.url}/hook
    bearer_token: { env: NJ_TEST_TOKEN }
    headers: { X-Team: secops }
    tls: { ca_file: ${pki.caCert} }
`);
    const ids = [...rig.append(400), ...rig.append(600)];
    await until(() => s.accepted.length >= 1000 && s.hookAccepted.length >= 1000, 60000, 'both outputs');
    await rig.stop();
    const bulk = s.requests.filter((r) => r.path === '/_bulk');
    const hook = s.requests.filter((r) => r.path === '/hook');
    expect(bulk.flatMap((r) => r.ids)).toEqual(ids);
    expect(hook.map((r) => r.ids[0])).toEqual(ids);
    expect(s.conflicts).toEqual([]);
    expect(s.hookConflicts).toEqual([]);
    expect(s.hookAccepted).toEqual(ids);
    expect([...s.createdCount.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(bulk.map((r) => r.headers.authorization))).toEqual(new Set([`ApiKey ${process.env.NJ_TEST_API_KEY}`]));
    expect(new Set(bulk.map((r) => r.headers['content-encoding']))).toEqual(new Set(['gzip']));
    expect(new Set(hook.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer hook-token-abcdef']));
    expect(hook[0]!.headers['x-team']).toBe('secops');
    expect((s.docs.get(ids[0]!)!.event as { id: string }).id).toBe(ids[0]);
    expect(rig.counters.get('output_delivered', { output: 'es' })).toBe(1000);
    expect(rig.counters.get('output_delivered', { output: 'hook' })).toBe(1000);
    expect(JSON.stringify(rig.logs)).not.toContain('secret-key');
    expect(JSON.stringify(rig.logs)).not.toContain('hook-token');
  });

  it('basic auth to _bulk, and the Falco-style payload to a webhook', async () => {
    const s = await sink();
    const pw = `${s.port}-pw`;
    process.env.NJ_TEST_PW = pw;
    const rig = deliveryRig(`outputs:
  - { name: es, type: elasticsearch, urls: ["${s.url}"], username: nightjar, password: { env: NJ_TEST_PW }, data_stream: logs-nightjar.alerts-test, tls: { ca_file: ${pki.caCert} } }
  - { name: falco, type: webhook, format: falco, url: "${s.url}/falco", tls: { ca_file: ${pki.caCert} } }
`);
    const ids = rig.append(3);
    await until(() => s.accepted.length === 3 && s.hookAccepted.length === 3);
    await rig.stop();
    const bulk = s.requests.find((r) => r.path === '/_bulk')!;
    expect(bulk.headers.authorization).toBe(`Basic ${Buffer.from(`nightjar:${pw}`).toString('base64')}`);
    expect(s.hookAccepted).toEqual(ids);
    expect(s.hookBodies[0]).toMatchObject({ rule: 'Test Rule', priority: 'Error', source: 'nightjar', output_fields: { 'proc.name': 'nc' } });
    expect(JSON.stringify(rig.logs)).not.toContain(pw);
  });

  it('waits as Retry-After says on a 503, retries only the items answered 429, and delivers each alert once', async () => {
    const s = await sink();
    s.queuedAnswers.push({ status: 503, headers: { 'retry-after': '2' } });
    s.itemVerdict = (id, attempt) => (attempt === 1 && Number(id.split('-')[1]) % 7 === 0 ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } : undefined);
    const rig = deliveryRig(esYaml(s.url));
    const ids = rig.append(100);
    await until(() => s.accepted.length >= 100, 30000, 'all accepted');
    await rig.stop();
    const [first, second, third] = s.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1950);
    expect(second!.ids).toEqual(ids);
    const retried = ids.filter((id) => Number(id.split('-')[1]) % 7 === 0);
    expect(third!.ids).toEqual(retried);
    expect([...s.accepted].sort()).toEqual([...ids].sort());
    expect(s.conflicts).toEqual([]);
    expect(rig.counters.get('output_retried', { output: 'es' })).toBe(100 + retried.length);
  });

  it('dead-letters an item answered 400 with the server reason; the rest go on', async () => {
    const s = await sink();
    s.itemVerdict = (id) => (id.endsWith('-3') ? { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse field [process.pid]' } } : undefined);
    const rig = deliveryRig(esYaml(s.url));
    const ids = rig.append(10);
    await until(() => s.accepted.length >= 9);
    await until(() => deadLetters(rig.dir, 'es').length === 1);
    await rig.stop();
    const dl = deadLetters(rig.dir, 'es')[0]!;
    expect(dl).toMatchObject({ output: 'es', status: 400, event_id: ids[3], reason: 'document_parsing_exception: failed to parse field [process.pid]' });
    expect((dl.alert as { event: { id: string } }).event.id).toBe(ids[3]);
    expect(s.accepted).toEqual(ids.filter((_, i) => i !== 3));
    expect(rig.counters.get('output_dead_lettered', { output: 'es' })).toBe(1);
  });

  it('a local fault (the dead-letter file cannot be written) is retried, and skips nothing', async () => {
    const { mkdirSync, rmSync } = await import('node:fs');
    const s = await sink();
    s.itemVerdict = (id) => (id.endsWith('-1') ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } : undefined);
    const rig = deliveryRig(esYaml(s.url));
    const blocker = `${rig.dir}/state/outputs/es.dead-letter.ndjson`;
    mkdirSync(blocker, { recursive: true });
    const ids = rig.append(3);
    await until(() => rig.logs.some((l) => /local fault: .*EISDIR/.test(String(l.error))), 10000, 'the fault logged');
    rmSync(blocker, { recursive: true });
    await until(() => deadLetters(rig.dir, 'es').length === 1, 10000, 'the dead letter');
    await rig.stop();
    expect(new Set(s.accepted)).toEqual(new Set([ids[0], ids[2]]));
    expect(deadLetters(rig.dir, 'es')[0]).toMatchObject({ event_id: ids[1] });
  });

  it('a webhook 422 for one alert in a batch is split down to that alert, which is dead-lettered', async () => {
    const s = await sink();
    const rig = deliveryRig(`outputs:
  - name: hook
    type: webhook
    format: ndjson
    url: ${s.url}/hook
    tls: { ca_file: ${pki.caCert} }
    batch: { max_alerts: 8, max_wait_ms: 200 }
`);
    s.hookRefuse = (eventIds) => (eventIds.some((id) => id.endsWith('-5')) ? 422 : undefined);
    const ids = rig.append(8);
    await until(() => deadLetters(rig.dir, 'hook').length === 1 && s.hookEventIds.length === 7, 20000);
    await rig.stop();
    expect(deadLetters(rig.dir, 'hook')[0]).toMatchObject({ status: 422, event_id: ids[5], reason: expect.stringMatching(/answered 422: .*unprocessable alert/) });
    expect(s.hookEventIds).toEqual(ids.filter((_, i) => i !== 5));
  });

  it('configuration errors are retried, never dead-lettered, and say what to check: 401 for the request, 403 security_exception for items', async () => {
    const cases: [(s: AlertSinkServer) => void, RegExp][] = [
      [(s) => s.queuedAnswers.push({ status: 401, body: '{"error":"missing authentication credentials"}' }, { status: 401 }),
        /answered 401: .*missing authentication credentials.*check the URL, the API key/],
      [(s) => (s.itemVerdict = (_id, attempt) => (attempt === 1 ? { status: 403, error: { type: 'security_exception', reason: 'action [indices:data/write/bulk[s]] is unauthorized' } } : undefined)),
        /403 for some items: security_exception .*check the API key privileges/],
    ];
    for (const [fail, says] of cases) {
      const s = await sink();
      fail(s);
      const rig = deliveryRig(esYaml(s.url));
      const ids = rig.append(5);
      await until(() => s.accepted.length === 5);
      await rig.stop();
      expect(s.accepted).toEqual(ids);
      expect(deadLetters(rig.dir, 'es')).toEqual([]);
      expect(errorsOf(rig.logs).join('\n')).toMatch(says);
    }
  });

  it('resumes at its checkpoint after a restart, and sends what was written while it was down', async () => {
    const s = await sink();
    const rig = deliveryRig(esYaml(s.url));
    const a = rig.append(50);
    await until(() => s.accepted.length === 50);
    await rig.stop();
    rig.restart();
    const b = rig.append(30);
    await until(() => s.accepted.length === 80);
    await rig.stop();
    expect(s.accepted).toEqual([...a, ...b]);
    expect(s.conflicts).toEqual([]);
  });

  it('rotation keeps files an output has not delivered; past the disk bound it drops the oldest and says so', async () => {
    const s = await sink();
    await s.down();
    const rig = deliveryRig(esYaml(s.url), { rotateBytes: 4000, keep: 1, maxUndelivered: 40000 });
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(...rig.append(4));
    const kept = readFileSync(`${rig.dir}/state/outputs/es.checkpoint.json`, 'utf8');
    expect(kept).toContain('"offset":0');
    await s.start();
    await until(() => s.accepted.length === 120, 30000);
    expect(s.accepted).toEqual(ids);
    await s.down();
    for (let i = 0; i < 150; i++) rig.append(4);
    await until(() => rig.logs.some((l) => /dropped before delivery/.test(String(l.msg))), 5000);
    expect(rig.counters.get('output_dropped', { output: 'es' })).toBeGreaterThan(0);
    await rig.stop();
  });
});

describe('nightjar doctor on outputs', () => {
  it('reports reachability with the cause of a failure, and each backlog', async () => {
    const { execa } = await import('execa');
    const { NIGHTJAR_BIN } = await import('../helpers/paths.js');
    const s = await sink();
    s.requireAuth = `ApiKey ${process.env.NJ_TEST_API_KEY}`;
    const rig = deliveryRig(esYaml(s.url));
    await s.down();
    rig.append(7);
    await until(() => rig.logs.some((l) => /will retry/.test(String(l.msg))));
    await rig.stop();
    await s.start();
    const cfg = `${rig.dir}/doctor.yaml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(cfg, `alerts: { path: ${rig.dir}/alerts.ndjson }\nstate_dir: ${rig.dir}/state\n${esYaml(s.url)}  - { name: other, type: webhook, url: "${s.url}/hook", tls: { ca_file: ${pki.otherCaCert} } }\n`);
    const r = await execa(NIGHTJAR_BIN, ['doctor', '--config', cfg], { reject: false, env: { NJ_TEST_API_KEY: process.env.NJ_TEST_API_KEY! } });
    expect(r.stdout).toMatch(/ok {3}output es reachable: https:\/\/127\.0\.0\.1:\d+\/ reachable, Elasticsearch 8\.15\.0/);
    expect(r.stdout).toMatch(/ok {3}output es backlog: 7 alert\(s\) pending, oldest \d+ s old; delivered 0, .*last error: connection to https:\/\/127\.0\.0\.1:\d+ refused/);
    expect(r.stdout).toMatch(/WARN output other reachable: TLS: .* not signed by a CA in tls\.ca_file .*otherca\.crt/);
    expect(r.stdout).not.toContain('bmotdGVzd');
    const noKey = await execa(NIGHTJAR_BIN, ['doctor', '--config', cfg], { reject: false, env: { NJ_TEST_API_KEY: '' } });
    expect(noKey.stdout).toMatch(/FAIL output es: outputs\.0\.api_key: environment variable NJ_TEST_API_KEY is not set/);
  });
});

describe('TLS failures name their cause', () => {
  const firstError = async (server: AlertSinkServer, tls: string, name = 'es') => {
    const rig = deliveryRig(`outputs:
  - name: ${name}
    type: elasticsearch
    urls: ["${server.url}"]
    tls: ${tls}
    retry: { initial_ms: 5000, max_ms: 5000 }
`);
    rig.append(1);
    await until(() => errorsOf(rig.logs).some((e) => /will retry/.test(e)), 10000);
    await rig.stop();
    return errorsOf(rig.logs).find((e) => /will retry/.test(e))!;
  };

  it('wrong CA', async () => {
    expect(await firstError(await sink(), `{ ca_file: ${pki.otherCaCert} }`)).toMatch(/not signed by a CA in tls\.ca_file .*otherca\.crt/);
  });
  it('expired certificate', async () => {
    expect(await firstError(await sink('expired'), `{ ca_file: ${pki.caCert} }`)).toMatch(/expired certificate \(CERT_HAS_EXPIRED\)/);
  });
  it('wrong server name', async () => {
    expect(await firstError(await sink('wrongName'), `{ ca_file: ${pki.caCert} }`)).toMatch(/does not name 127\.0\.0\.1 .*set tls\.server_name/);
  });
  it('server_name fixes a name mismatch', async () => {
    const s = await sink('wrongName');
    const rig = deliveryRig(`outputs:\n  - { name: es, type: elasticsearch, urls: ["${s.url}"], tls: { ca_file: ${pki.caCert}, server_name: siem.example.org } }\n`);
    rig.append(3);
    await until(() => s.accepted.length === 3);
    await rig.stop();
  });
  it('mTLS without a client certificate, then with one', async () => {
    const s = await sink('server', pki.caCert);
    expect(await firstError(s, `{ ca_file: ${pki.caCert} }`)).toMatch(/requires a client certificate .*set tls\.cert_file and tls\.key_file/);
    const rig = deliveryRig(`outputs:\n  - { name: es, type: elasticsearch, urls: ["${s.url}"], tls: { ca_file: ${pki.caCert}, cert_file: ${pki.client.cert}, key_file: ${pki.client.key} } }\n`);
    rig.append(2);
    await until(() => s.accepted.length === 2);
    await rig.stop();
  });
  it('verification: none delivers to an untrusted server and warns at start', async () => {
    const s = await sink('expired');
    const rig = deliveryRig(`outputs:\n  - { name: es, type: elasticsearch, urls: ["${s.url}"], tls: { verification: none } }\n`);
    rig.append(2);
    await until(() => s.accepted.length === 2);
    await rig.stop();
    expect(rig.logs.find((l) => l.level === 'warn')?.msg).toMatch(/TLS verification is off/);
  });
});
