// Secret values from the config: inline, a file's first line, or an environment variable.
// Values are resolved once at output start and kept out of every log line and error.

import { readFileSync } from 'node:fs';
import type { SecretRefDoc } from '../config/outputs-schema.js';

export class SecretError extends Error {}

export function resolveSecret(ref: SecretRefDoc, path: string): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (!v) throw new SecretError(`${path}: environment variable ${ref.env} is not set`);
    return v;
  }
  let text: string;
  try {
    text = readFileSync(ref.file, 'utf8');
  } catch (e) {
    throw new SecretError(`${path}: ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const v = text.split(/\r?\n/)[0]!.trim();
  if (!v) throw new SecretError(`${path}: ${ref.file} is empty`);
  return v;
}

/** Replaces every secret value in text, for messages that might echo one back. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('********');
  return out;
}
