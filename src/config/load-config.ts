// Config file (YAML) -> validated Config, or an error naming each bad key by its path.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { missingFiles } from './check-files.js';
import { type Config, ConfigSchema } from './config-schema.js';

export class ConfigError extends Error {}

export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const path = i.path.join('.') || '(top)';
      const keys = i.code === 'unrecognized_keys' ? ` ${i.keys.map((k) => (path === '(top)' ? k : `${path}.${k}`)).join(', ')}` : '';
      return `${path}: ${i.message}${keys}`;
    });
    throw new ConfigError(`${file}: ${issues.join('; ')}`);
  }
  const missing = missingFiles(r.data);
  if (missing.length) throw new ConfigError(`${file}: ${missing.join('; ')}`);
  return r.data;
}

/** The config file if given (it must exist); defaults otherwise. */
export function loadConfig(file: string | undefined): Config {
  if (!file) return ConfigSchema.parse({});
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  return parseConfig(text, file);
}
