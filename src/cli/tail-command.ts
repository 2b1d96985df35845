// `nightjar tail [PATH] [-f] [--rule R] [--severity S] [--container ID] [--json]`: the alert
// log as one readable line per alert; -f follows like tail -F (rotation, truncation, a torn
// last line waits for its newline).

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EcsDoc } from '../ecs/ecs-event.js';
import { getPath } from '../ecs/ecs-event.js';
import { TAIL_SPEC } from './command-specs.js';
import { CliError } from './usage-error.js';

const COLOURS: Record<string, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m' };
const SEVERITY_NAMES: [number, string][] = [[99, 'critical'], [73, 'high'], [47, 'medium'], [0, 'low']];

function severityName(doc: EcsDoc): string {
  const named = getPath(doc, 'nightjar.alert.severity');
  if (typeof named === 'string') return named;
  const n = Number(getPath(doc, 'event.severity') ?? 0);
  return SEVERITY_NAMES.find(([min]) => n >= min)![1];
}

export function formatAlert(doc: EcsDoc, colour: boolean): string {
  const str = (p: string) => {
    const v = getPath(doc, p);
    return v === undefined || v === null ? '-' : String(v);
  };
  if (getPath(doc, 'event.kind') === 'metric') return `${str('@timestamp')} ${'info'.padEnd(8)} ${str('message')}`;
  const sev = severityName(doc);
  const s = colour ? `${COLOURS[sev] ?? ''}${sev.padEnd(8)}\x1b[0m` : sev.padEnd(8);
  const container = getPath(doc, 'container.id');
  const where = `host=${str('host.hostname')}${typeof container === 'string' ? ` container=${container.slice(0, 12)}` : ''}`;
  return `${str('@timestamp')} ${s} ${str('rule.name')} ${where} user=${str('user.id')} ${str('process.name')}[${str('process.pid')}]: ${str('process.command_line')}`;
}

interface Filters {
  rule?: string;
  severity?: string;
  container?: string;
}

function passes(doc: EcsDoc, f: Filters): boolean {
  if (f.rule && getPath(doc, 'rule.name') !== f.rule && getPath(doc, 'rule.id') !== f.rule) return false;
  if (f.severity && severityName(doc) !== f.severity) return false;
  if (f.container && !String(getPath(doc, 'container.id') ?? '').startsWith(f.container)) return false;
  return true;
}

export async function tailCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: TAIL_SPEC.options });
  if (positionals.length > 1) throw new CliError(`usage: ${TAIL_SPEC.usage}`);
  const path = positionals[0] ?? '/var/log/nightjar/alerts.ndjson';
  const colour = Boolean(process.stdout.isTTY) && !values.json;
  const emit = (line: string) => {
    let doc: EcsDoc;
    try {
      doc = JSON.parse(line) as EcsDoc;
    } catch {
      return; // a damaged line: skip it
    }
    if (!passes(doc, values)) return;
    process.stdout.write(`${values.json ? line : formatAlert(doc, colour)}\n`);
  };

  let fd: number | undefined;
  let ino = -1;
  let pos = 0;
  let rest = '';
  const openIfNeeded = (): boolean => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return false;
    }
    if (fd === undefined || st.ino !== ino || st.size < pos) {
      if (fd !== undefined) closeSync(fd);
      fd = openSync(path, 'r');
      ino = st.ino;
      pos = 0;
      rest = '';
    }
    return true;
  };
  const buf = Buffer.alloc(1 << 16);
  const drain = () => {
    if (!openIfNeeded()) return;
    for (;;) {
      const n = readSync(fd!, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      const text = rest + buf.toString('utf8', 0, n);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const l of lines) if (l.trim()) emit(l);
    }
  };
  if (!values.follow && !openIfNeeded()) throw new CliError(`${path}: no such file`, 'CLI_INPUT', path);
  drain();
  if (!values.follow) return 0;
  // follow: poll (works on every filesystem, survives rotation and truncation)
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const before = ino;
      drain();
      if (ino !== before && before !== -1) drain();
    }, 200);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
