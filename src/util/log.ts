// Agent log: one JSON object per line on stderr (journald), never mixed with alerts or events.
// Every string in it is redacted (src/util/redact.ts): no configured secret or echo of one.

import { redact, redactDeep } from './redact.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  min: Level = (process.env.NIGHTJAR_LOG_LEVEL as Level | undefined) ?? 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const threshold = ORDER[min] ?? ORDER.info;
  const at = (level: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < threshold) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: redact(msg), ...redactDeep(fields) })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
