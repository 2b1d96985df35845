// TLS trust by default: a self-signed server (signed by no configured CA) is refused, and
// `tls.verification: none` is warned about at every start of the output.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSinkServer } from '../helpers/alert-sink-server.js';
import { deliveryRig, until } from '../helpers/delivery-rig.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

let pki: TestPki;
let selfSigned: AlertSinkServer;

/** A certificate that names 127.0.0.1 correctly and is signed by itself only. */
function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-selfsigned-`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${dir}/s.key`, '-out', `${dir}/s.crt`,
    '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: `${dir}/s.crt`, key: `${dir}/s.key` };
}

beforeAll(async () => {
  pki = makeTestPki();
  selfSigned = await new AlertSinkServer(selfSignedCert()).start();
});
afterAll(async () => {
  await selfSigned.stop();
});

const errorsOf = (logs: Record<string, unknown>[]) => logs.filter((l) => /will retry/.test(String(l.msg))).map((l) => String(l.error));

describe('TLS trust', () => {
  const refused: [string, () => string, RegExp][] = [
    ['no tls settings (system CAs, full verification)', () => '{}', /not signed by a CA in the system CAs \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    ['verification: certificate still checks the chain', () => '{ verification: certificate }', /not signed by a CA in the system CAs \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
    ['a configured CA that did not sign it', () => `{ ca_file: ${pki.caCert} }`, /not signed by a CA in tls\.ca_file .*ca\.crt \(DEPTH_ZERO_SELF_SIGNED_CERT\)/],
  ];
  for (const [name, tls, says] of refused) {
    it(`a self-signed server is refused: ${name}`, async () => {
      const before = selfSigned.requests.length;
      const rig = deliveryRig(`outputs:
  - { name: es, type: elasticsearch, urls: ["${selfSigned.url}"], tls: ${tls()}, retry: { initial_ms: 100, max_ms: 200 } }
  - { name: hook, type: webhook, url: "${selfSigned.url}/hook", tls: ${tls()}, retry: { initial_ms: 100, max_ms: 200 } }
`);
      rig.append(2);
      await until(() => errorsOf(rig.logs).length >= 2, 10000, 'both outputs refusing');
      const pending = rig.delivery.statuses().map((s) => [s.name, s.pending, s.delivered]);
      await rig.stop();
      for (const e of errorsOf(rig.logs)) expect(e).toMatch(says);
      expect(pending).toEqual([['es', 2, 0], ['hook', 2, 0]]);
      // the handshake failed: not one HTTP request reached the server
      expect(selfSigned.requests.length).toBe(before);
      expect(rig.logs.some((l) => l.level === 'warn' && /TLS verification is off/.test(String(l.msg)))).toBe(false);
    });
  }

  it('verification: none delivers to it, and warns at every start of the output', async () => {
    const rig = deliveryRig(`outputs:\n  - { name: es, type: elasticsearch, urls: ["${selfSigned.url}"], tls: { verification: none } }\n`);
    const a = rig.append(2);
    await until(() => a.every((id) => selfSigned.accepted.includes(id)));
    await rig.stop();
    rig.restart();
    const b = rig.append(1);
    await until(() => b.every((id) => selfSigned.accepted.includes(id)));
    await rig.stop();
    const warnings = rig.logs.filter((l) => l.level === 'warn' && /TLS verification is off/.test(String(l.msg)));
    const starts = rig.logs.filter((l) => l.msg === 'output started');
    expect(starts).toHaveLength(2);
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toMatchObject({ output: 'es', target: expect.stringContaining(selfSigned.url) });
    // one warning per start: the second came with the second start
    expect(rig.logs.indexOf(warnings[1]!)).toBeGreaterThan(rig.logs.indexOf(starts[0]!));
  });

  it('nightjar doctor warns about verification: none', async () => {
    const { execa } = await import('execa');
    const { NIGHTJAR_BIN } = await import('../helpers/paths.js');
    const dir = mkdtempSync(`${tmpdir()}/nightjar-tls-doctor-`);
    writeFileSync(`${dir}/c.yaml`, `alerts: { path: ${dir}/alerts.ndjson }\nstate_dir: ${dir}/state\noutputs:\n  - { name: es, type: elasticsearch, urls: ["${selfSigned.url}"], tls: { verification: none } }\n`);
    const r = await execa(NIGHTJAR_BIN, ['doctor', '--config', `${dir}/c.yaml`, '--bpftrace', '/nonexistent/bpftrace'], { reject: false });
    expect(r.stdout).toMatch(/WARN output es tls: tls\.verification is none/);
  });
});
