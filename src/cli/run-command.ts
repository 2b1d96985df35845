// `nightjar run`: the agent in the foreground until SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { startAgent } from '../agent/agent.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { resolveConfigPath } from './config-command.js';
import { loadRuleSet } from './rule-paths.js';
import { CliError } from './usage-error.js';
import { createLogger } from '../util/log.js';
import { SecretError } from '../delivery/secrets.js';
import { DeliveryError } from '../delivery/http-client.js';

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      alerts: { type: 'string' },
      events: { type: 'string' },
      rules: { type: 'string', multiple: true },
      'host-root': { type: 'string' },
      'state-dir': { type: 'string' },
      bpftrace: { type: 'string' },
      metrics: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const log = createLogger();
  let config;
  try {
    config = loadConfig(resolveConfigPath(values.config));
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  if (values.alerts) config.alerts.path = values.alerts;
  if (values.metrics) config.metrics.listen = values.metrics;
  if (values['state-dir']) config.state_dir = values['state-dir'];
  const rules = await loadRuleSet([...config.rules.paths, ...(values.rules ?? [])]);
  const agent = await startAgent({
    hostRoot: values['host-root'] ?? config.host_root,
    stateDir: config.state_dir,
    eventsPath: values.events,
    bpftrace: values.bpftrace,
    rules,
    config,
    log,
  }).catch((e: unknown) => {
    if (e instanceof SecretError || e instanceof DeliveryError) throw new CliError(e.message);
    throw e;
  });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await agent.stop();
  return 0;
}
