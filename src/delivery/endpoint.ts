// One output's HTTP(S) endpoint: its URLs (failing over on network errors and 5xx), TLS agent,
// gzip and static headers. Answers with a response or an operator-facing error sentence.

import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type http from 'node:http';
import { describeError, type HttpResponse, makeAgent, request, type TlsSettings } from './http-client.js';
import { redact } from '../util/redact.js';

const gzip = promisify(gzipCb);

interface EndpointOptions {
  urls: string[];
  tls: TlsSettings;
  gzip: boolean;
  timeoutMs: number;
  headers: Record<string, string>;
}

type PostResult = { res: HttpResponse; url: URL } | { error: string; url: URL };

export class Endpoint {
  private readonly urls: URL[];
  private readonly agents = new Map<string, http.Agent>();
  private next = 0;

  constructor(private readonly o: EndpointOptions) {
    this.urls = o.urls.map((u) => new URL(u));
    for (const u of this.urls) this.agentFor(u);
  }

  private agentFor(url: URL): http.Agent {
    let a = this.agents.get(url.origin);
    if (!a) {
      a = makeAgent(this.o.tls, url.protocol === 'https:');
      this.agents.set(url.origin, a);
    }
    return a;
  }

  /** POSTs to the current URL + suffix; a network error or 5xx moves on to the next URL for later. */
  async post(suffix: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<PostResult> {
    const base = this.urls[this.next % this.urls.length]!;
    const url = new URL(base);
    if (suffix) url.pathname = `${base.pathname.replace(/\/$/, '')}/${suffix}`;
    const all = { ...this.o.headers, ...headers };
    let payload = Buffer.from(body);
    if (this.o.gzip) {
      payload = await gzip(payload, { level: 1 });
      all['content-encoding'] = 'gzip';
    }
    try {
      const res = await request('POST', url, this.agentFor(url), all, payload, this.o.timeoutMs, signal);
      if (res.status >= 500) this.next++;
      return { res, url };
    } catch (e) {
      this.next++;
      return { error: redact(describeError(e, url, this.o.tls, this.o.timeoutMs)), url };
    }
  }

  /** For doctor: one request to each URL (GET for Elasticsearch's root, HEAD for a webhook), with the output's headers. */
  async probe(method: 'GET' | 'HEAD'): Promise<{ url: string; status?: number; body?: string; error?: string }[]> {
    const out = [];
    for (const url of this.urls) {
      try {
        const res = await request(method, url, this.agentFor(url), { ...this.o.headers }, Buffer.alloc(0), this.o.timeoutMs);
        out.push({ url: url.origin + url.pathname, status: res.status, body: redact(res.body) });
      } catch (e) {
        out.push({ url: url.origin + url.pathname, error: redact(describeError(e, url, this.o.tls, this.o.timeoutMs)) });
      }
    }
    return out;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
  }
}
