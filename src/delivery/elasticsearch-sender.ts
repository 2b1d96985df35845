// Elasticsearch `_bulk`: `create` with `_id` = event.id into a data stream, so a retry never
// makes a duplicate. Per item: 200/201 delivered, 409 already there, 429/5xx (and 401/403/404,
// which blame the configuration) retried, any other status dead-lettered with the reason.

import type { ElasticsearchOutputConfig } from '../config/outputs-schema.js';
import { Endpoint } from './endpoint.js';
import { credentialHeaders } from './secrets.js';
import { redact } from '../util/redact.js';
import { CONFIG_STATUS, type DeadAlert, excerpt, type ProbeResult, type QueuedAlert, retryAll, RETRYABLE_STATUS, type Sender, type SendOutcome } from './sender.js';
import { retryAfterMs } from './http-client.js';

interface BulkItem {
  status?: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
}

export class ElasticsearchSender implements Sender {
  private readonly endpoint: Endpoint;
  private readonly action: (id: string) => string;

  constructor(cfg: ElasticsearchOutputConfig, at: string) {
    const headers = { 'content-type': 'application/x-ndjson', accept: 'application/json', ...credentialHeaders(cfg, at) };
    this.endpoint = new Endpoint({ urls: cfg.urls, tls: cfg.tls, gzip: cfg.gzip, timeoutMs: cfg.timeout_ms, headers });
    const index = JSON.stringify(cfg.data_stream);
    this.action = (id) => `{"create":{"_index":${index},"_id":${JSON.stringify(id)}}}\n`;
  }

  async send(alerts: QueuedAlert[], signal: AbortSignal): Promise<SendOutcome> {
    const body = alerts.map((a) => `${this.action(a.id)}${a.line}\n`).join('');
    const r = await this.endpoint.post('_bulk', body, {}, signal);
    if ('error' in r) return retryAll(alerts, r.error);
    const { res, url } = r;
    if (res.status === 413) {
      if (alerts.length > 1) return { delivered: 0, retry: [], dead: [], split: true };
      return { delivered: 0, retry: [], dead: [{ alert: alerts[0]!, status: 413, reason: 'larger than the server accepts (http.max_content_length)' }] };
    }
    if (res.status < 200 || res.status >= 300) {
      const why = `${url.origin}/_bulk answered ${res.status}: ${excerpt(res.body)}`;
      const hint = CONFIG_STATUS(res.status) ? ' (check the URL, the API key or credentials and their privileges)' : '';
      return retryAll(alerts, why + hint, RETRYABLE_STATUS(res.status) ? retryAfterMs(res.headers['retry-after']) : undefined);
    }
    let items: BulkItem[];
    try {
      const parsed = JSON.parse(res.body) as { items?: Record<string, BulkItem>[] };
      items = (parsed.items ?? []).map((i) => Object.values(i)[0] ?? {});
    } catch {
      return retryAll(alerts, `${url.origin}/_bulk answered ${res.status} with a body that is not JSON: ${excerpt(res.body)}`);
    }
    if (items.length !== alerts.length) return retryAll(alerts, `${url.origin}/_bulk answered ${items.length} items for ${alerts.length} documents`);
    const out: SendOutcome = { delivered: 0, retry: [], dead: [] };
    const dead: DeadAlert[] = out.dead;
    items.forEach((item, i) => {
      const status = item.status ?? 0;
      const alert = alerts[i]!;
      if ((status >= 200 && status < 300) || status === 409) out.delivered++;
      else if (RETRYABLE_STATUS(status) || CONFIG_STATUS(status)) {
        // 401/403/404 per item (security_exception, index_not_found_exception) say the key or
        // the data stream is wrong, not the alert: retried, never dead-lettered
        out.retry.push(alert);
        const hint = CONFIG_STATUS(status) ? ' (check the API key privileges and that the data stream can be created)' : '';
        // the server may echo the credentials it got (`authorization=[ApiKey ...]`)
        out.error = redact(`${url.origin}/_bulk: ${status} for some items: ${item.error?.type ?? ''} ${item.error?.reason ?? ''}`.trim()) + hint;
      } else {
        const e = item.error;
        dead.push({ alert, status, reason: redact(e ? `${e.type ?? 'error'}: ${e.reason ?? ''}${e.caused_by?.reason ? ` (${e.caused_by.reason})` : ''}` : `status ${status}`) });
      }
    });
    if (out.retry.length) out.retryAfterMs = retryAfterMs(res.headers['retry-after']);
    return out;
  }

  async probe(): Promise<ProbeResult[]> {
    return (await this.endpoint.probe('GET')).map((r) => {
      if (r.error) return { ok: false, detail: r.error };
      if (r.status === 200) {
        const version = /"number"\s*:\s*"([^"]+)"/.exec(r.body ?? '')?.[1];
        return { ok: true, detail: `${r.url} reachable${version ? `, Elasticsearch ${version}` : ''}` };
      }
      if (r.status === 403) return { ok: true, detail: `${r.url} reachable and authenticated (403 on / only means the key lacks the monitor privilege, which delivery does not need)` };
      if (r.status === 401) return { ok: false, detail: `${r.url} refused our credentials (401): check api_key or username/password` };
      return { ok: false, detail: `${r.url} answered ${r.status ?? '?'}: ${excerpt(r.body ?? '')}` };
    });
  }

  close(): void {
    this.endpoint.close();
  }
}
