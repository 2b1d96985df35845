// `nightjar config print [--config FILE]`: the effective config (file over defaults) as YAML,
// with anything secret-looking masked; `nightjar config check`: validate only.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { envOverrideNames, loadConfig } from '../config/load-config.js';
import { registerOutputSecrets } from '../delivery/secrets.js';
import { redactDeep } from '../util/redact.js';
import { CONFIG_SPEC } from './command-specs.js';
import { CliError } from './usage-error.js';

export const DEFAULT_CONFIG = '/etc/nightjar/config.yaml';
const SECRET_KEY = /(password|secret|token|api_?key|authorization)(?!_file)/i;

export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') {
    // any header can carry a credential: inline header values are masked whatever their name
    if (key === 'headers') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? '********' : v]));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  return SECRET_KEY.test(key) && value !== '' && value !== undefined ? '********' : value;
}

export function resolveConfigPath(given: string | undefined): string | undefined {
  return given ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
}

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'print' && sub !== 'check') throw new CliError('usage: nightjar config print|check [--config FILE]');
  const { values } = parseArgs({ args: rest, options: CONFIG_SPEC.options, strict: true });
  const file = resolveConfigPath(values.config);
  const config = loadConfig(file);
  const env = envOverrideNames(process.env);
  const source = `${file ?? 'defaults (no config file)'}${env.length ? ` + environment ${env.join(', ')}` : ''}`;
  if (sub === 'check') process.stdout.write(`${source}: valid\n`);
  else {
    // inline secrets are masked by key; any secret repeated in another field (a URL's user info) by value
    registerOutputSecrets(config.outputs);
    process.stdout.write(`# effective config from ${source}\n${stringify(redactDeep(maskSecrets(config)))}`);
  }
  return 0;
}
