// nightjar CLI: dispatches subcommands; exit 0 ok, 1 runtime failure, 2 usage or invalid input.

import { COMMAND_SPECS, helpAsked, helpText, mainHelp } from './command-specs.js';
import { CliError } from './usage-error.js';

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
    (name === undefined ? process.stderr : process.stdout).write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${(await import('../util/version.js')).VERSION}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) throw new CliError(`unknown command ${JSON.stringify(name)}; see nightjar --help`);
  const spec = COMMAND_SPECS[name]!;
  if (helpAsked(spec, rest)) {
    process.stdout.write(helpText(spec));
    return 0;
  }
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
