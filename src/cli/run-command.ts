// `nightjar run`: the agent in the foreground until SIGTERM/SIGINT.

import { parseArgs } from 'node:util';
import { startAgent } from '../agent/agent.js';
import { createLogger } from '../util/log.js';

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
    },
    strict: true,
    allowPositionals: false,
  });
  const log = createLogger();
  const agent = await startAgent({
    hostRoot: values['host-root'] ?? process.env.NIGHTJAR_HOST_ROOT ?? '',
    stateDir: values['state-dir'] ?? '/var/lib/nightjar',
    eventsPath: values.events,
    bpftrace: values.bpftrace,
    log,
  });
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  await agent.stop();
  return 0;
}
