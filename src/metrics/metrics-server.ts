// Prometheus text on /metrics and liveness on /healthz, bound to loopback. Counters are
// `name` or `name{label="v"}` keys of Counters; gauges are sampled when scraped.

import { createServer, type Server } from 'node:http';
import type { Counters } from '../util/counters.js';

export interface MetricsSources {
  counters: Counters;
  gauges: () => Record<string, number>;
  /** undefined: healthy; else the reason for a 503 */
  unhealthy: () => string | undefined;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function prometheusText(s: MetricsSources): string {
  const lines: string[] = [];
  const byName = new Map<string, string[]>();
  for (const [key, value] of Object.entries(s.counters.snapshot())) {
    const brace = key.indexOf('{');
    const base = `nightjar_${(brace < 0 ? key : key.slice(0, brace)).replace(/[^a-zA-Z0-9_]/g, '_')}_total`;
    const labels = brace < 0 ? '' : key.slice(brace);
    byName.set(base, [...(byName.get(base) ?? []), `${base}${labels} ${value}`]);
  }
  for (const [name, samples] of byName) lines.push(`# TYPE ${name} counter`, ...samples);
  const gauges = new Map<string, string[]>();
  for (const [key, value] of Object.entries(s.gauges())) {
    const brace = key.indexOf('{');
    const base = `nightjar_${brace < 0 ? key : key.slice(0, brace)}`;
    gauges.set(base, [...(gauges.get(base) ?? []), `${base}${brace < 0 ? '' : key.slice(brace)} ${value}`]);
  }
  for (const [name, samples] of gauges) lines.push(`# TYPE ${name} gauge`, ...samples);
  return `${lines.join('\n')}\n`;
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
