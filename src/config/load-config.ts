// Config file (YAML) -> validated Config, or an error naming each bad key by its path.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { missingFiles } from './check-files.js';
import { type Config, ConfigSchema } from './config-schema.js';
import { CodedError } from '../util/coded-error.js';
import { redact } from '../util/redact.js';

type ConfigCode = 'CONFIG_READ' | 'CONFIG_YAML' | 'CONFIG_INVALID' | 'CONFIG_ENV' | 'CONFIG_FILE_MISSING';

/** Its message names the file (and the environment overrides used): redacted, a value may be a secret. */
export class ConfigError extends CodedError {
  constructor(code: ConfigCode, message: string, location?: string) {
    super(code, redact(message), location);
  }
}

/**
 * NIGHTJAR_<KEY>[__<KEY>...] overrides one config key (`__` separates levels, so
 * NIGHTJAR_ALERTS__ROTATE__KEEP=3 sets alerts.rotate.keep); values are YAML scalars or flow
 * collections. Only names whose first level is a top-level config key count, so other
 * NIGHTJAR_* variables (NIGHTJAR_LOG_LEVEL, a test's own) are left alone; below that level
 * the schema is strict, so a typo is refused.
 */
export function envOverrideNames(env: NodeJS.ProcessEnv): string[] {
  const top = new Set(Object.keys(ConfigSchema.shape));
  return Object.keys(env)
    .filter((n) => n.startsWith('NIGHTJAR_') && env[n] !== undefined && top.has(n.slice('NIGHTJAR_'.length).toLowerCase().split('__')[0]!))
    .sort();
}

function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  for (const name of envOverrideNames(env)) {
    const value = env[name]!;
    const path = name.slice('NIGHTJAR_'.length).toLowerCase().split('__');
    if (path.some((p) => !p)) throw new ConfigError('CONFIG_ENV', `environment ${name}: not a config key path`, name);
    let parsed: unknown;
    try {
      parsed = parseYaml(value);
    } catch {
      parsed = value;
    }
    let at: Record<string, unknown> = raw;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) at[key] = {};
      at = at[key] as Record<string, unknown>;
    }
    at[path[path.length - 1]!] = parsed;
    applied.push(name);
  }
  return applied;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = {}): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    throw new ConfigError('CONFIG_YAML', `${file}: ${(e as Error).message.split('\n')[0]}`, file);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('CONFIG_INVALID', `${file}: (top): Expected a mapping of config keys`, file);
  const fromEnv = applyEnvOverrides(raw as Record<string, unknown>, env);
  if (fromEnv.length) file = `${file} + environment ${fromEnv.join(', ')}`;
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const path = i.path.join('.') || '(top)';
      const keys = i.code === 'unrecognized_keys' ? ` ${i.keys.map((k) => (path === '(top)' ? k : `${path}.${k}`)).join(', ')}` : '';
      return `${path}: ${i.message}${keys}`;
    });
    throw new ConfigError('CONFIG_INVALID', `${file}: ${issues.join('; ')}`, file);
  }
  const missing = missingFiles(r.data);
  if (missing.length) throw new ConfigError('CONFIG_FILE_MISSING', `${file}: ${missing.join('; ')}`, file);
  return r.data;
}

/** The config file if given (it must exist), defaults otherwise; NIGHTJAR_* environment overrides on top. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  if (!file) return parseConfig('', 'defaults', env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError('CONFIG_READ', `${file}: ${(e as Error).message}`, file);
  }
  return parseConfig(text, file, env);
}
