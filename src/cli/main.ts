// nightjar CLI: dispatches subcommands; exit 0 ok, else the exit code of the error's code
// (docs/errors.md): 2 usage or invalid input, 1 runtime failure.

import { COMMAND_SPECS, helpAsked, helpText, mainHelp } from './command-specs.js';
import { CliError } from './usage-error.js';
import { exitCodeFor } from '../util/coded-error.js';
import { redact } from '../util/redact.js';

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

async function main(argv: string[]): Promise<number> {
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const code = (e as { code?: unknown } | null)?.code;
    // an EQL error names its code first, as a rule diagnostic does
    const message = e instanceof Error ? `${typeof code === 'string' && code.startsWith('EQL_') ? `${code}: ` : ''}${e.message}` : String(e);
    process.stderr.write(`nightjar: ${redact(message.split('\n')[0]!)}\n`);
    process.exitCode = exitCodeFor(e);
  },
);
