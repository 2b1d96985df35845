// `nightjar health [--config FILE] [--listen HOST:PORT]`: asks the running agent's /healthz on its loopback metrics
// address; exit 0 healthy, 1 not. The Kubernetes probes run this inside the pod, because the
// metrics server never listens beyond loopback.

import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { parseListen } from '../metrics/metrics-server.js';
import { resolveConfigPath } from './config-command.js';
import { HEALTH_SPEC } from './command-specs.js';

export async function healthCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: HEALTH_SPEC.options, strict: true });
  const listen = values.listen ?? loadConfig(resolveConfigPath(values.config)).metrics.listen;
  const { host, port } = parseListen(listen);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(Number(values.timeout)) });
    process.stdout.write(`${url}: ${res.status} ${(await res.text()).trim()}\n`);
    return res.status === 200 ? 0 : 1;
  } catch (e) {
    process.stdout.write(`${url}: ${(e as Error).cause ? String((e as { cause: Error }).cause.message) : (e as Error).message}\n`);
    return 1;
  }
}
