// The process's one list of secret strings, and the masking every sink of text applies to what it
// writes: agent log, output status files, dead letters, doctor, config print, delivery errors.
// Besides registered values it masks credential echoes it can recognise by shape (docs/delivery.md).

const MASK = '********';
/** Shorter values cannot be masked without masking ordinary words: credentials are refused, others not masked. */
export const MIN_SECRET_LENGTH = 4;

const registered = new Set<string>();
/** longest first, so a secret that contains another is masked whole */
let ordered: string[] = [];

/** Registers a secret with the forms it takes in JSON text and in URLs. */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  let added = false;
  for (const v of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]) {
    if (!registered.has(v)) {
      registered.add(v);
      added = true;
    }
  }
  if (added) ordered = [...registered].sort((a, b) => b.length - a.length);
}

const SCHEMES = 'basic|bearer|apikey|api-key|token|digest|negotiate';
const ECHOES: [RegExp, string][] = [
  // Elasticsearch: `authorization=[ApiKey ...]` in security_exception reasons
  [/(authorization\s*=\s*\[)[^\]]*\]/gi, `$1${MASK}]`],
  // a header echoed as `Authorization: ...`, `"authorization":"..."`, `x-api-key=...`; not a
  // config path such as `outputs.0.headers.Authorization: environment variable ... is not set`
  [new RegExp(`(?<![.\\w-])((?:proxy-)?authorization|x-api-key|cookie)(\\\\?["']?\\s*[:=]\\s*\\[?\\\\?["']?)((?:${SCHEMES})\\s+)?[^\\s"'\\\\,;\\]}]+`, 'gi'), `$1$2$3${MASK}`],
  // a scheme and a token-looking credential (16+ characters, one a digit) anywhere
  [new RegExp(`\\b(${SCHEMES})(\\s+)(?=[A-Za-z0-9+/_.~-]*\\d)[A-Za-z0-9+/_.~-]{16,}={0,2}`, 'gi'), `$1$2${MASK}`],
  // a password in a URL's user info
  [/(\/\/[^/\s:@]*:)[^/\s@]+@/g, `$1${MASK}@`],
];

export function redact(text: string): string {
  let out = text;
  for (const s of ordered) if (out.includes(s)) out = out.split(s).join(MASK);
  for (const [re, to] of ECHOES) out = out.replace(re, to);
  return out;
}

/** Every string in a JSON-like value redacted (keys kept); other values as they are. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  if (value instanceof Error) return redact(value.message) as T;
  return value;
}
