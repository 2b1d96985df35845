// A real HTTPS server on loopback that answers like Elasticsearch's `_bulk` (create with _id:
// 201 new, 409 seen) and like a webhook (/hook), records what it accepted, and can be told to
// fail: whole-request answers, per-item statuses, hanging, going down and coming back.

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ItemVerdict {
  status: number;
  error?: { type: string; reason: string };
}

export interface SinkOptions {
  cert: string;
  key: string;
  /** CA for client certificates: when set, the server requires one (mTLS) */
  clientCa?: string;
}

export interface Received {
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  ids: string[];
}

export class AlertSinkServer {
  server!: Server;
  port = 0;
  private readonly sockets = new Set<Socket>();
  /** ids answered 201, in the order the server accepted them */
  readonly accepted: string[] = [];
  readonly createdCount = new Map<string, number>();
  readonly conflicts: string[] = [];
  /** webhook idempotency keys answered 200, in order; repeats answered 409 */
  readonly hookAccepted: string[] = [];
  readonly hookConflicts: string[] = [];
  readonly requests: Received[] = [];
  readonly docs = new Map<string, Record<string, unknown>>();
  readonly hookBodies: unknown[] = [];
  /** answers for whole requests, taken one per request while any are queued */
  readonly queuedAnswers: { status: number; headers?: Record<string, string>; body?: string }[] = [];
  /** per-item answer override for `_bulk`; undefined: 201 or 409 */
  itemVerdict?: (id: string, attempt: number) => ItemVerdict | undefined;
  private readonly attempts = new Map<string, number>();
  /** webhook: a status to refuse a request with, given the event ids in its body */
  hookRefuse?: (eventIds: string[]) => number | undefined;
  /** webhook: event ids of every alert in a body answered 200 */
  readonly hookEventIds: string[] = [];
  /** GET/HEAD answer 401 unless the Authorization header is exactly this */
  requireAuth?: string;
  /** accept requests but never answer */
  hang = false;
  /** wait this long before answering */
  delayMs = 0;
  /** called when a request arrives, before it is answered */
  onRequest?: (r: Received) => void;

  constructor(private readonly o: SinkOptions) {}

  async start(port = 0): Promise<this> {
    this.server = createServer(
      {
        cert: readFileSync(this.o.cert), key: readFileSync(this.o.key),
        ...(this.o.clientCa ? { ca: readFileSync(this.o.clientCa), requestCert: true, rejectUnauthorized: true } : {}),
      },
      (req, res) => void this.handle(req, res),
    );
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port || this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Closes the port and cuts every connection: clients see connection refused. */
  async down(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    return (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const authorized = !this.requireAuth || req.headers.authorization === this.requireAuth;
      res.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' }).end(req.method === 'GET' ? '{"name":"sink","version":{"number":"8.15.0"}}' : undefined);
      return;
    }
    const text = await this.body(req);
    const path = (req.url ?? '').split('?')[0]!;
    const lines = text.split('\n').filter(Boolean);
    const ids: string[] = [];
    const docs: Record<string, unknown>[] = [];
    if (path.endsWith('/_bulk')) {
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as { create: { _id: string; _index: string } };
        ids.push(action.create._id);
        docs.push(JSON.parse(lines[i + 1]!) as Record<string, unknown>);
      }
    } else {
      ids.push(String(req.headers['idempotency-key'] ?? ''));
    }
    const received: Received = { at: Date.now(), path, headers: req.headers, ids };
    this.requests.push(received);
    this.onRequest?.(received);
    if (this.hang) return;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const canned = this.queuedAnswers.shift();
    if (canned) {
      res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers }).end(canned.body ?? '{"error":"injected"}');
      return;
    }
    if (!path.endsWith('/_bulk')) {
      const key = ids[0]!;
      const body = req.headers['content-type'] === 'application/x-ndjson' ? lines.map((l) => JSON.parse(l) as unknown) : (JSON.parse(text) as unknown);
      const eventIds = (Array.isArray(body) ? body : [body]).map((d) => String((d as { event?: { id?: string } }).event?.id));
      const refused = this.hookRefuse?.(eventIds);
      if (refused) {
        res.writeHead(refused, { 'content-type': 'application/json' }).end('{"error":"unprocessable alert"}');
        return;
      }
      this.hookBodies.push(body);
      this.hookEventIds.push(...eventIds);
      const seen = this.hookAccepted.includes(key);
      (seen ? this.hookConflicts : this.hookAccepted).push(key);
      res.writeHead(seen ? 409 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const items = ids.map((id, i) => {
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempt);
      const forced = this.itemVerdict?.(id, attempt);
      if (forced) return { create: { _id: id, status: forced.status, ...(forced.error ? { error: forced.error } : {}) } };
      const seen = this.createdCount.has(id);
      this.count(id, seen);
      if (!seen) this.docs.set(id, docs[i]!);
      return { create: { _id: id, status: seen ? 409 : 201, ...(seen ? { error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } } : {}) } };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: items.some((i) => i.create.status >= 300), items }));
  }

  private count(id: string, seen: boolean): void {
    if (seen) this.conflicts.push(id);
    else this.accepted.push(id);
    this.createdCount.set(id, (this.createdCount.get(id) ?? 0) + (seen ? 0 : 1));
  }

  async stop(): Promise<void> {
    await this.down().catch(() => undefined);
  }
}
