// Every subcommand's parseArgs option table with its help text: each command parses with its
// table and `nightjar <cmd> --help` prints from it, so the help cannot drift from the parser.

import { parseArgs } from 'node:util';

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string;
  /** the value's placeholder in help, for string options */
  arg?: string;
  help: string;
}

interface CommandSpec {
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
}

const config = { type: 'string', arg: 'FILE', help: 'config file (default /etc/nightjar/config.yaml if present)' } as const;

export const RUN_SPEC = {
  usage: 'nightjar run [options]',
  summary: 'the agent, in the foreground until SIGTERM/SIGINT',
  options: {
    config,
    alerts: { type: 'string', arg: 'PATH', help: 'alert log path (alerts.path)' },
    events: { type: 'string', arg: 'PATH', help: 'also write every ECS event to PATH (NDJSON)' },
    rules: { type: 'string', multiple: true, arg: 'DIR', help: 'rule files or directories, added to rules.paths (repeatable)' },
    'host-root': { type: 'string', arg: 'DIR', help: 'where the host filesystem is mounted (host_root)' },
    'state-dir': { type: 'string', arg: 'DIR', help: 'agent state: identity, checkpoints (state_dir)' },
    bpftrace: { type: 'string', arg: 'PATH', help: 'the bpftrace binary (default: bpftrace on PATH)' },
    metrics: { type: 'string', arg: 'HOST:PORT', help: 'loopback address of /metrics and /healthz (metrics.listen)' },
  },
} as const satisfies CommandSpec;

export const TAIL_SPEC = {
  usage: 'nightjar tail [PATH] [options]',
  summary: 'the alert log as readable lines (default /var/log/nightjar/alerts.ndjson)',
  options: {
    follow: { type: 'boolean', short: 'f', help: 'keep following, like tail -F (rotation, truncation)' },
    json: { type: 'boolean', help: 'print the NDJSON lines as they are' },
    rule: { type: 'string', arg: 'R', help: 'only alerts of this rule (name or id)' },
    severity: { type: 'string', arg: 'S', help: 'only alerts of this severity (low, medium, high, critical)' },
    container: { type: 'string', arg: 'ID', help: 'only alerts of containers whose id starts with ID' },
  },
} as const satisfies CommandSpec;

export const REPLAY_SPEC = {
  usage: 'nightjar replay [options] FILE|-',
  summary: 'recorded ECS events (NDJSON) through the rules; alerts as NDJSON on stdout',
  options: {
    rules: { type: 'string', multiple: true, arg: 'DIR', help: 'rule files or directories instead of the bundled rules (repeatable)' },
  },
} as const satisfies CommandSpec;

export const QUERY_SPEC = {
  usage: "nightjar query [options] 'EQL' FILE|-",
  summary: 'one EQL query over ECS events (NDJSON); each match as one NDJSON line',
  options: {
    size: { type: 'string', arg: 'N', help: 'stop after N matches' },
  },
} as const satisfies CommandSpec;

export const RULES_SPEC = {
  usage: 'nightjar rules check [options] [FILES|DIRS]',
  summary: 'parse and validate rule files (default: the bundled rules); exit 2 on any error',
  options: {
    ecs: { type: 'string', arg: 'FILE', help: 'ECS field list (JSON); warn about fields ECS lacks (or NIGHTJAR_ECS_FIELDS)' },
    fields: { type: 'string', arg: 'EVENTS', help: 'NDJSON events (e.g. from run --events); list the fields each rule references that none of them carries' },
  },
} as const satisfies CommandSpec;

export const CONFIG_SPEC = {
  usage: 'nightjar config print|check [options]',
  summary: 'the effective config (secrets masked), or validate it',
  options: { config },
} as const satisfies CommandSpec;

export const DOCTOR_SPEC = {
  usage: 'nightjar doctor [options]',
  summary: 'check this host and each output, and say what to fix',
  options: {
    config,
    bpftrace: { type: 'string', arg: 'PATH', help: 'the bpftrace binary (default: bpftrace on PATH)' },
  },
} as const satisfies CommandSpec;

export const HEALTH_SPEC = {
  usage: 'nightjar health [options]',
  summary: "ask the running agent's /healthz (exit 0 healthy)",
  options: {
    config,
    listen: { type: 'string', arg: 'HOST:PORT', help: 'the agent\'s metrics address (default: metrics.listen of the config)' },
    timeout: { type: 'string', default: '3000', arg: 'MS', help: 'give up after MS milliseconds' },
  },
} as const satisfies CommandSpec;

export const COMMAND_SPECS: Record<string, CommandSpec> = {
  run: RUN_SPEC, tail: TAIL_SPEC, replay: REPLAY_SPEC, query: QUERY_SPEC, rules: RULES_SPEC,
  config: CONFIG_SPEC, doctor: DOCTOR_SPEC, health: HEALTH_SPEC,
};

/** true when argv asks for help (-h/--help as an option, not as the value of another option) */
export function helpAsked(spec: CommandSpec, argv: string[]): boolean {
  const { tokens } = parseArgs({
    args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true,
  });
  return tokens.some((t) => t.kind === 'option' && t.name === 'help');
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return [flag, `${o.help}${o.default !== undefined ? ` (default ${o.default})` : ''}`] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return `usage: ${spec.usage}\n${spec.summary}\n\noptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n')}\n`;
}

export function mainHelp(): string {
  const rows = Object.entries(COMMAND_SPECS).map(([name, s]) => `  ${name.padEnd(8)}${s.summary}`);
  return `usage: nightjar <command> [options]\n\ncommands:\n${rows.join('\n')}\n\n` +
    '`nightjar <command> --help` lists the options of each. Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid config/rules.\n';
}
