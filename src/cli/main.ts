// nightjar CLI: dispatches subcommands; exit 0 ok, 1 runtime failure, 2 usage or invalid input.

import { CliError } from './usage-error.js';

const USAGE = `usage: nightjar <command> [options]
  run [--config FILE] [--alerts PATH] [--events PATH] [--rules DIR]   the agent
  replay FILE|-                      ECS events through the rules; alerts to stdout
  query 'EQL' FILE|-                 one EQL query over ECS events
  tail [PATH] [-f]                   the alert log, readable
  rules check [FILES]                validate rule files
  config print|check [--config FILE] the effective config (secrets masked), or validate it
  doctor [--config FILE]             check this host and each output
  health [--config FILE]             ask the running agent's /healthz (exit 0 healthy)`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./run-command.js')).runCommand,
  doctor: async () => (await import('./doctor-command.js')).doctorCommand,
  query: async () => (await import('./query-command.js')).queryCommand,
  replay: async () => (await import('./replay-command.js')).replayCommand,
  rules: async () => (await import('./rules-command.js')).rulesCommand,
  tail: async () => (await import('./tail-command.js')).tailCommand,
  config: async () => (await import('./config-command.js')).configCommand,
  health: async () => (await import('./health-command.js')).healthCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${(await import('../util/version.js')).VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new CliError(`unknown command ${JSON.stringify(name)}; see nightjar --help`);
  return (await load())(rest);
}

function isUsageError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error & { exitCode?: number };
    const code = e instanceof CliError ? e.exitCode : isUsageError(e) ? 2 : 1;
    process.stderr.write(`nightjar: ${err.message.split('\n')[0]}\n`);
    process.exitCode = code;
  },
);
