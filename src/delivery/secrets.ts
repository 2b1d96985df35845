// Secret values from the config: inline, a file's first line, or an environment variable. Each
// output's credentials are resolved once, when its sender is built from the config, and every
// form they take on the wire (Basic's base64, ApiKey's id:key) is registered for redaction then.

import { readFileSync } from 'node:fs';
import type { OutputConfig, SecretRefDoc } from '../config/outputs-schema.js';
import { CodedError } from '../util/coded-error.js';
import { MIN_SECRET_LENGTH, redact, registerSecret } from '../util/redact.js';

type SecretCode = 'SECRET_ENV_UNSET' | 'SECRET_FILE_UNREADABLE' | 'SECRET_FILE_EMPTY' | 'SECRET_TOO_SHORT';

/** located at the config path of the secret (outputs.0.password) */
export class SecretError extends CodedError {
  constructor(code: SecretCode, message: string, location?: string) {
    super(code, redact(message), location);
  }
}

/** A credential: registered for redaction, and refused when too short to be masked. */
function resolveSecret(ref: SecretRefDoc, path: string): string {
  const v = readSecret(ref, path);
  if (v.length < MIN_SECRET_LENGTH) throw new SecretError('SECRET_TOO_SHORT', `${path}: shorter than ${MIN_SECRET_LENGTH} characters, too short to be a credential or to be masked in logs`, path);
  registerSecret(v);
  return v;
}

function readSecret(ref: SecretRefDoc, path: string): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (!v) throw new SecretError('SECRET_ENV_UNSET', `${path}: environment variable ${ref.env} is not set`, path);
    return v;
  }
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (e) {
    throw new SecretError('SECRET_FILE_UNREADABLE', `${path}: ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  const v = text.split(/\r?\n/)[0]!.trim();
  if (!v) throw new SecretError('SECRET_FILE_EMPTY', `${path}: ${ref.file} is empty`, path);
  return v;
}

/**
 * `Authorization: ApiKey <base64(id:key)>` from the `encoded` value, or from `id:key` as
 * Elasticsearch's create API key answer also gives it; the id:key and the key are registered too.
 */
function apiKeyAuth(value: string): string {
  const encoded = value.includes(':') ? Buffer.from(value).toString('base64') : value;
  registerSecret(encoded);
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon > 0 && Buffer.from(decoded).toString('base64') === encoded) {
    registerSecret(decoded);
    registerSecret(decoded.slice(colon + 1));
  }
  return `ApiKey ${encoded}`;
}

function basicAuth(user: string, password: string): string {
  const encoded = Buffer.from(`${user}:${password}`).toString('base64');
  registerSecret(`${user}:${password}`);
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

/** A password in a URL's user info is a credential too (Node sends it as Basic auth). */
function registerUrlCredentials(urls: string[]): void {
  for (const u of urls) {
    const url = new URL(u);
    if (url.password) {
      registerSecret(decodeURIComponent(url.password));
      registerSecret(basicAuth(decodeURIComponent(url.username), decodeURIComponent(url.password)).slice(6));
    }
  }
}

/** The output's authentication headers (lower-case names); every secret in them registered. */
export function credentialHeaders(o: OutputConfig, at: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (o.type === 'elasticsearch') {
    registerUrlCredentials(o.urls);
    if (o.api_key) headers.authorization = apiKeyAuth(resolveSecret(o.api_key, `${at}.api_key`));
    else if (o.username && o.password) headers.authorization = basicAuth(o.username, resolveSecret(o.password, `${at}.password`));
    return headers;
  }
  registerUrlCredentials([o.url]);
  for (const [name, ref] of Object.entries(o.headers)) {
    // any header can carry a credential: inline values are masked too (those of 4+ characters)
    const v = typeof ref === 'string' ? ref : resolveSecret(ref, `${at}.headers.${name}`);
    registerSecret(v);
    headers[name.toLowerCase()] = v;
  }
  if (o.bearer_token) headers.authorization = `Bearer ${resolveSecret(o.bearer_token, `${at}.bearer_token`)}`;
  return headers;
}

/** For `config print`: registers what resolves, so a secret repeated in another field is masked too. */
export function registerOutputSecrets(outputs: OutputConfig[]): void {
  outputs.forEach((o, i) => {
    try {
      credentialHeaders(o, `outputs.${i}`);
    } catch {
      /* an unresolvable secret is not printed either */
    }
  });
}
