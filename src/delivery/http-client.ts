// POST over HTTPS (or http when allowed) with keep-alive, an overall timeout, and errors that
// name their cause in words an operator can act on (wrong CA, expired, wrong name, mTLS).

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { checkServerIdentity, createSecureContext, type PeerCertificate } from 'node:tls';
import { CodedError, type ErrorCode } from '../util/coded-error.js';
import { redact } from '../util/redact.js';

export interface TlsSettings {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  server_name?: string;
  verification: 'full' | 'certificate' | 'none';
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class DeliveryError extends CodedError {
  constructor(code: ErrorCode & `DELIVERY_${string}`, message: string, location?: string) {
    super(code, redact(message), location);
  }
}

function readTlsFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DeliveryError('DELIVERY_TLS_FILES', `tls: ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
}

export function makeAgent(tls: TlsSettings, https_: boolean): http.Agent {
  if (!https_) return new http.Agent({ keepAlive: true, maxSockets: 2 });
  const opts: https.AgentOptions = { keepAlive: true, maxSockets: 2 };
  if (tls.ca_file) opts.ca = readTlsFile(tls.ca_file);
  if (tls.cert_file && tls.key_file) {
    opts.cert = readTlsFile(tls.cert_file);
    opts.key = readTlsFile(tls.key_file);
  }
  try {
    createSecureContext({ ca: opts.ca, cert: opts.cert, key: opts.key });
  } catch (e) {
    const files = [tls.ca_file, tls.cert_file, tls.key_file].filter(Boolean).join(', ');
    throw new DeliveryError('DELIVERY_TLS_FILES', `tls: ${files}: ${(e as Error).message}`, files);
  }
  if (tls.server_name) opts.servername = tls.server_name;
  if (tls.verification === 'none') opts.rejectUnauthorized = false;
  else if (tls.verification === 'certificate') opts.checkServerIdentity = () => undefined;
  else if (tls.server_name) {
    const name = tls.server_name;
    opts.checkServerIdentity = (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert);
  }
  return new https.Agent(opts);
}

const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);

/** An operator-facing sentence for a failed request. */
export function describeError(e: unknown, url: URL, tls: TlsSettings, timeoutMs: number): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code ?? '';
  const where = `${url.protocol}//${url.host}`;
  const trust = tls.ca_file ? `tls.ca_file ${tls.ca_file}` : 'the system CAs';
  if (UNTRUSTED.has(code)) return `TLS: ${where} presented a certificate not signed by a CA in ${trust} (${code}); set tls.ca_file to the CA that signed it`;
  if (code === 'CERT_HAS_EXPIRED') return `TLS: ${where} presented an expired certificate (CERT_HAS_EXPIRED); renew the server certificate`;
  if (code === 'CERT_NOT_YET_VALID') return `TLS: ${where} presented a certificate that is not valid yet (CERT_NOT_YET_VALID); check the clocks`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS: the certificate of ${where} does not name ${tls.server_name ?? url.hostname} (${err.reason ?? err.message}); use a URL with a name the certificate has, or set tls.server_name`;
  }
  if (/CERTIFICATE_REQUIRED/.test(code) || (/HANDSHAKE_FAILURE/.test(code) && !tls.cert_file)) {
    return `TLS: ${where} requires a client certificate (${code}); set tls.cert_file and tls.key_file`;
  }
  if (/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(code)) {
    return `TLS: ${where} rejected our client certificate ${tls.cert_file ?? ''} (${code}); it must be signed by a CA the server trusts`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `TLS handshake with ${where} failed (${code}): is it an https port?`;
  if (code === 'ECONNREFUSED') return `connection to ${where} refused: is the server up?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${url.hostname} (${code})`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `connection to ${where} reset (${code})`;
  if (code === 'ETIMEDOUT' || err.name === 'TimeoutError') return `no answer from ${where} within ${timeoutMs} ms`;
  return `request to ${where} failed: ${code ? `${code} ` : ''}${err.message}`;
}

export function request(
  method: 'POST' | 'GET' | 'HEAD', url: URL, agent: http.Agent, headers: Record<string, string>, body: Buffer, timeoutMs: number, signal?: AbortSignal,
): Promise<HttpResponse> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, agent, headers: body.length ? { ...headers, 'content-length': String(body.length) } : headers, signal });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}

/** Retry-After as milliseconds (seconds or an HTTP date), within [0, 10 min]. */
export function retryAfterMs(h: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  const ms = /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 600_000) : undefined;
}
