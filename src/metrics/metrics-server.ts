// Prometheus text on /metrics and liveness on /healthz, bound to loopback. Counters come from
// the registry (HELP and TYPE per row, labels escaped there); gauges are sampled when scraped
// as `name` or `name{label="v"}` keys.

import { createServer, type Server } from 'node:http';
import type { Counters } from '../util/counters.js';

interface MetricsSources {
  counters: Counters;
  gauges: () => Record<string, number>;
  /** undefined: healthy; else the reason for a 503 */
  unhealthy: () => string | undefined;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

const helpText = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function counterLines(counters: Counters): string[] {
  return counters.families().flatMap(({ name, help, series }) => {
    const metric = `nightjar_${name}_total`;
    return [`# HELP ${metric} ${helpText(help)}`, `# TYPE ${metric} counter`, ...[...series].map(([labels, v]) => `${metric}${labels} ${v}`)];
  });
}

/** `name` / `name{labels}` gauge keys -> Prometheus families, one TYPE line per metric name. */
function gaugeLines(values: Record<string, number>): string[] {
  const byName = new Map<string, string[]>();
  for (const [key, value] of Object.entries(values)) {
    const brace = key.indexOf('{');
    const name = `nightjar_${(brace < 0 ? key : key.slice(0, brace)).replace(/[^a-zA-Z0-9_]/g, '_')}`;
    const samples = byName.get(name) ?? [];
    samples.push(`${name}${brace < 0 ? '' : key.slice(brace)} ${value}`);
    byName.set(name, samples);
  }
  return [...byName].flatMap(([name, samples]) => [`# TYPE ${name} gauge`, ...samples]);
}

export function prometheusText(s: MetricsSources): string {
  return `${[...counterLines(s.counters), ...gaugeLines(s.gauges())].join('\n')}\n`;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(listen);
  if (!m || !LOOPBACK.test(m[1]!)) throw new Error(`metrics.listen ${listen}: must be a loopback address with a port, such as 127.0.0.1:9464`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function startMetricsServer(listen: string, s: MetricsSources): Promise<Server> {
  const { host, port } = parseListen(listen);
  // port 0: an ephemeral port, reported in the ready log
  const server = createServer((req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(prometheusText(s));
    } else if (req.url === '/healthz') {
      const why = s.unhealthy();
      res.writeHead(why ? 503 : 200, { 'content-type': 'text/plain' }).end(why ? `unhealthy: ${why}\n` : 'ok\n');
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
