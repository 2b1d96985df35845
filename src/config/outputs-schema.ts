// `outputs:` in the config: where alerts go over HTTPS besides the alert log. Each output reads
// the alert log as its queue (docs/delivery.md).

import { z } from 'zod';
import { redact } from '../util/redact.js';

/** A secret: inline (discouraged), `{ file: PATH }` (first line, trimmed) or `{ env: NAME }`. */
const SecretRef = z.union([
  z.string().min(1),
  z.object({ file: z.string().min(1) }).strict(),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }).strict(),
]);
export type SecretRefDoc = z.infer<typeof SecretRef>;

const Tls = z
  .object({
    /** PEM bundle; replaces the system CAs for this output when set */
    ca_file: z.string().optional(),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    /** the name the server certificate must carry (SNI too), when it differs from the URL's host */
    server_name: z.string().optional(),
    /** full: chain and name; certificate: chain only; none: nothing (warned at every start) */
    verification: z.enum(['full', 'certificate', 'none']).default('full'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (Boolean(t.cert_file) !== Boolean(t.key_file)) ctx.addIssue({ code: 'custom', message: 'cert_file and key_file go together' });
  });

const Batch = z
  .object({
    max_alerts: z.number().int().min(1).max(10000),
    max_bytes: z.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
    max_wait_ms: z.number().int().min(0).max(60000).default(1000),
  })
  .strict();

const Retry = z
  .object({
    initial_ms: z.number().int().min(1).max(600000).default(1000),
    max_ms: z.number().int().min(1).max(3600000).default(60000),
  })
  .strict()
  .default({});

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _');
const url = z.string().url();

const common = {
  name,
  tls: Tls.default({}),
  /** http:// URLs are refused unless this is true */
  allow_http: z.boolean().default(false),
  timeout_ms: z.number().int().min(100).max(600000).default(10000),
  retry: Retry,
  /** where a new output (no checkpoint yet) starts: the oldest alert kept on disk, or new alerts only */
  start_at: z.enum(['oldest', 'end']).default('oldest'),
};

const ElasticsearchOutput = z
  .object({
    type: z.literal('elasticsearch'),
    urls: z.array(url).min(1),
    data_stream: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lower-case data stream or index name').default('logs-nightjar.alerts-default'),
    /** base64 "id:api_key" (`encoded` in Elasticsearch's create API key answer), or "id:api_key" itself */
    api_key: SecretRef.optional(),
    username: z.string().optional(),
    password: SecretRef.optional(),
    batch: Batch.default({ max_alerts: 500 }),
    gzip: z.boolean().default(true),
    ...common,
  })
  .strict();

const WebhookOutput = z
  .object({
    type: z.literal('webhook'),
    url,
    /** json: an array of alerts; ndjson: one per line; falco: one Falco-style event per request */
    format: z.enum(['json', 'ndjson', 'falco']).default('json'),
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name'), SecretRef).default({}),
    bearer_token: SecretRef.optional(),
    /** carries event.id; one alert per request by default, so every alert has its own key */
    idempotency_header: z.string().default('Idempotency-Key'),
    batch: Batch.default({ max_alerts: 1 }),
    /** off by default: not every receiver accepts gzip request bodies */
    gzip: z.boolean().default(false),
    ...common,
  })
  .strict();

/** An inline credential shorter than this could not be masked in logs without masking ordinary words. */
const MIN_CREDENTIAL = 4;

export const OutputSchema = z.discriminatedUnion('type', [ElasticsearchOutput, WebhookOutput]).superRefine((o, ctx) => {
  const credentials = o.type === 'elasticsearch' ? { api_key: o.api_key, password: o.password } : { bearer_token: o.bearer_token };
  for (const [key, ref] of Object.entries(credentials)) {
    if (typeof ref === 'string' && ref.length < MIN_CREDENTIAL) ctx.addIssue({ code: 'custom', path: [key], message: `shorter than ${MIN_CREDENTIAL} characters: too short to be a credential or to be masked in logs` });
  }
  if (o.type === 'elasticsearch') {
    if (o.api_key && (o.username || o.password)) ctx.addIssue({ code: 'custom', message: 'api_key or username/password, not both' });
    if (Boolean(o.username) !== Boolean(o.password)) ctx.addIssue({ code: 'custom', message: 'username and password go together' });
  }
  for (const u of o.type === 'elasticsearch' ? o.urls : [o.url]) {
    // a URL can carry a password (user:password@): never echoed
    const shown = redact(u);
    if (u.startsWith('http://') && !o.allow_http) ctx.addIssue({ code: 'custom', path: ['allow_http'], message: `${shown} is plain http: use https, or set allow_http: true` });
    else if (!/^https?:\/\//.test(u)) ctx.addIssue({ code: 'custom', message: `${shown}: only https:// (or http:// with allow_http) URLs` });
  }
  if (o.type === 'webhook' && o.format === 'falco' && o.batch.max_alerts !== 1) {
    ctx.addIssue({ code: 'custom', path: ['batch', 'max_alerts'], message: 'the falco format is one event per request' });
  }
});

export type OutputConfig = z.infer<typeof OutputSchema>;
export type ElasticsearchOutputConfig = Extract<OutputConfig, { type: 'elasticsearch' }>;
export type WebhookOutputConfig = Extract<OutputConfig, { type: 'webhook' }>;
