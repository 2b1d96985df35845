// A webhook: POST of a JSON array, NDJSON, or one Falco-style event. The idempotency header
// carries event.id when a request holds one alert (the default), or a hash of the ids in it.
// 2xx and 409 are delivered; 408/429/5xx and auth/path errors retried; any other 4xx is split
// down to the alert the receiver refuses, which is dead-lettered.

import { createHash } from 'node:crypto';
import type { WebhookOutputConfig } from '../config/outputs-schema.js';
import { Endpoint } from './endpoint.js';
import { falcoPayload } from './falco-payload.js';
import { retryAfterMs } from './http-client.js';
import { credentialHeaders } from './secrets.js';
import { CONFIG_STATUS, excerpt, type ProbeResult, type QueuedAlert, retryAll, RETRYABLE_STATUS, type Sender, type SendOutcome } from './sender.js';

const CONTENT_TYPE = { json: 'application/json', ndjson: 'application/x-ndjson', falco: 'application/json' };

export class WebhookSender implements Sender {
  private readonly endpoint: Endpoint;

  constructor(private readonly cfg: WebhookOutputConfig, at: string) {
    const headers = { 'content-type': CONTENT_TYPE[cfg.format], 'user-agent': 'nightjar', ...credentialHeaders(cfg, at) };
    this.endpoint = new Endpoint({ urls: [cfg.url], tls: cfg.tls, gzip: cfg.gzip, timeoutMs: cfg.timeout_ms, headers });
  }

  private body(alerts: QueuedAlert[]): string {
    if (this.cfg.format === 'ndjson') return `${alerts.map((a) => a.line).join('\n')}\n`;
    if (this.cfg.format === 'falco') return JSON.stringify(falcoPayload(alerts[0]!.doc ?? { message: alerts[0]!.line }, alerts[0]!.id));
    return `[${alerts.map((a) => a.line).join(',')}]`;
  }

  async send(alerts: QueuedAlert[], signal: AbortSignal): Promise<SendOutcome> {
    const key = alerts.length === 1 ? alerts[0]!.id : createHash('sha256').update(alerts.map((a) => a.id).join('\n')).digest('hex').slice(0, 32);
    const r = await this.endpoint.post('', this.body(alerts), { [this.cfg.idempotency_header.toLowerCase()]: key }, signal);
    if ('error' in r) return retryAll(alerts, r.error);
    const { res, url } = r;
    if ((res.status >= 200 && res.status < 300) || res.status === 409) return { delivered: alerts.length, retry: [], dead: [] };
    const why = `${url.origin}${url.pathname} answered ${res.status}: ${excerpt(res.body)}`;
    if (RETRYABLE_STATUS(res.status)) return retryAll(alerts, why, retryAfterMs(res.headers['retry-after']));
    if (CONFIG_STATUS(res.status)) return retryAll(alerts, `${why} (check the URL and the token)`);
    if (alerts.length > 1) return { delivered: 0, retry: [], dead: [], split: true };
    return { delivered: 0, retry: [], dead: [{ alert: alerts[0]!, status: res.status, reason: why }] };
  }

  async probe(): Promise<ProbeResult[]> {
    return (await this.endpoint.probe('HEAD')).map((r) => {
      if (r.error) return { ok: false, detail: r.error };
      if (r.status === 401 || r.status === 403 || r.status === 407) return { ok: false, detail: `${r.url} refused our credentials (${r.status}): check bearer_token and headers` };
      return { ok: true, detail: `${r.url} reachable (HEAD answered ${r.status})` };
    });
  }

  close(): void {
    this.endpoint.close();
  }
}
