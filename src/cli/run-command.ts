// `nightjar run`: the agent in the foreground until SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { checkWritable } from '../alerts/alert-log.js';
import { RUN_SPEC } from './command-specs.js';
import { loadConfig } from '../config/load-config.js';
import { resolveConfigPath } from './config-command.js';
import { loadRuleSet } from './rule-paths.js';
import { createLogger } from '../util/log.js';

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: RUN_SPEC.options, strict: true, allowPositionals: false });
  const log = createLogger();
  // coded errors (CONFIG_*, PATH_UNWRITABLE, SECRET_*, ...) end the command; main.ts exits by the code
  const config = loadConfig(resolveConfigPath(values.config));
  if (values.alerts) config.alerts.path = values.alerts;
  if (values.metrics) config.metrics.listen = values.metrics;
  if (values['state-dir']) config.state_dir = values['state-dir'];
  // an unwritable path is a usage error, told before the agent's modules even load
  checkWritable(config.alerts.path, 'alert log');
  if (values.events) checkWritable(values.events, 'events file');
  const rules = await loadRuleSet([...config.rules.paths, ...(values.rules ?? [])]);
  // Registered for good, before the start: a one-shot handler that removes itself lets
  // signal-exit (execa's cleanup, re-registered at each bpftrace restart) find itself the only
  // listener and re-raise the signal, killing the agent before its teardown (exit 143).
  let stopAsked = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stopAsked = true;
    wake?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const { startAgent } = await import('../agent/agent.js');
  const agent = await startAgent({
    hostRoot: values['host-root'] ?? config.host_root,
    stateDir: config.state_dir,
    eventsPath: values.events,
    bpftrace: values.bpftrace,
    rules,
    config,
    log,
  });
  if (!stopAsked) await new Promise<void>((resolve) => (wake = resolve));
  await agent.stop();
  // the handlers stay: a second signal during the last steps must not kill mid-teardown
  return 0;
}
