// A real test PKI made with openssl: a CA, server certificates (good, expired, wrong name), a
// client certificate for mTLS, and a second CA that signed nothing the server uses.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

export interface TestPki {
  dir: string;
  caCert: string;
  otherCaCert: string;
  server: { cert: string; key: string };
  expired: { cert: string; key: string };
  wrongName: { cert: string; key: string };
  client: { cert: string; key: string };
}

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

function issue(dir: string, name: string, ca: string, san: string, days: number, ext = ''): { cert: string; key: string } {
  ssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(`${dir}/${name}.ext`, `${san ? `subjectAltName=${san}\n` : ''}${ext}`);
  ssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', String(days), '-extfile', `${name}.ext`]);
  return { cert: `${dir}/${name}.crt`, key: `${dir}/${name}.key` };
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(`${tmpdir()}/nightjar-pki-`);
  for (const ca of ['ca', 'otherca']) {
    ssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '3', '-subj', `/CN=nightjar test ${ca}`]);
  }
  return {
    dir,
    caCert: `${dir}/ca.crt`,
    otherCaCert: `${dir}/otherca.crt`,
    server: issue(dir, 'server', 'ca', 'DNS:localhost,IP:127.0.0.1', 2),
    expired: issue(dir, 'expired', 'ca', 'DNS:localhost,IP:127.0.0.1', -1),
    wrongName: issue(dir, 'wrongname', 'ca', 'DNS:siem.example.org', 2),
    client: issue(dir, 'client', 'ca', '', 2, 'extendedKeyUsage=clientAuth\n'),
  };
}
