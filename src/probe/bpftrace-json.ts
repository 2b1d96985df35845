// One line of `bpftrace -f json` output -> { type, data } with strings decoded as UTF-8.
// bpftrace (0.17 .. 0.23) escapes each byte >= 0x80 as "\uffffffXX"; we repair that to
// "\u00XX", parse, then reinterpret the latin1 code units as the original bytes. A printf line
// with nothing escaped but its closing \n is sliced, not parsed (same result as JSON.parse).

export interface BpftraceMessage {
  type: string;
  data: unknown;
}

const BROKEN_ESCAPE = /\\(\\|u[fF]{6}([0-9a-fA-F]{2}))/g;
const NON_ASCII = /[\u0080-\u00ff]/;

export function repairBpftraceJson(line: string): string {
  if (!line.includes('\\uffffff') && !line.includes('\\uFFFFFF')) return line;
  return line.replace(BROKEN_ESCAPE, (whole: string, _inner: string, hex: string | undefined) =>
    hex === undefined ? whole : `\\u00${hex}`,
  );
}

/** Reinterprets a string of byte-valued code units (< 0x100) as UTF-8; invalid bytes -> U+FFFD. */
export function bytesToUtf8(s: string): string {
  return NON_ASCII.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

const PRINTF_HEAD = '{"type": "printf", "data": "';
const PRINTF_TAIL = '\\n"}';
// what JSON would escape, or reject raw, inside a string
// eslint-disable-next-line no-control-regex
const NOT_PLAIN = /[\\"\u0000-\u001f]/;

/** The payload of a printf line with nothing escaped but its closing \n, without that \n (the
 * common case, sliced rather than parsed); undefined for any other line. */
export function printfPayload(line: string): string | undefined {
  if (!line.startsWith(PRINTF_HEAD) || !line.endsWith(PRINTF_TAIL) || line.length < PRINTF_HEAD.length + PRINTF_TAIL.length) return undefined;
  const body = line.slice(PRINTF_HEAD.length, line.length - PRINTF_TAIL.length);
  return NOT_PLAIN.test(body) ? undefined : body;
}

export function parseBpftraceLine(line: string): BpftraceMessage | undefined {
  const body = printfPayload(line);
  return body !== undefined ? { type: 'printf', data: `${body}\n` } : parseBpftraceJson(line);
}

/** Any line by JSON.parse (after the escape repair); for lines printfPayload does not take. */
export function parseBpftraceJson(line: string): BpftraceMessage | undefined {
  if (line.length === 0 || line.charCodeAt(0) !== 0x7b /* { */) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(repairBpftraceJson(line));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const msg = parsed as { type?: unknown; data?: unknown };
  if (typeof msg.type !== 'string') return undefined;
  return { type: msg.type, data: msg.data };
}
