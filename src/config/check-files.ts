// Files the config names (CA bundles, client certificates, secret files) must be readable
// when the config is loaded, so a typo is refused up front with its path, not at first delivery.

import { accessSync, constants, statSync } from 'node:fs';
import type { Config } from './config-schema.js';
import type { SecretRefDoc } from './outputs-schema.js';

function problem(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `${file} is not a regular file`;
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file}: no such file` : code === 'EACCES' ? `${file}: permission denied` : `${file}: ${(e as Error).message}`;
  }
}

function secretFile(ref: SecretRefDoc | undefined): string | undefined {
  return ref && typeof ref === 'object' && 'file' in ref ? ref.file : undefined;
}

/** `path: reason` for every named file that cannot be read. */
export function missingFiles(config: Config): string[] {
  const out: string[] = [];
  const check = (path: string, file: string | undefined) => {
    const p = file === undefined ? undefined : problem(file);
    if (p) out.push(`${path}: ${p}`);
  };
  config.outputs.forEach((o, i) => {
    const at = `outputs.${i}`;
    check(`${at}.tls.ca_file`, o.tls.ca_file);
    check(`${at}.tls.cert_file`, o.tls.cert_file);
    check(`${at}.tls.key_file`, o.tls.key_file);
    if (o.type === 'elasticsearch') {
      check(`${at}.api_key.file`, secretFile(o.api_key));
      check(`${at}.password.file`, secretFile(o.password));
    } else {
      check(`${at}.bearer_token.file`, secretFile(o.bearer_token));
      for (const [h, v] of Object.entries(o.headers)) check(`${at}.headers.${h}.file`, secretFile(v));
    }
  });
  return out;
}
