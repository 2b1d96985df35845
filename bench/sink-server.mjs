// A minimal HTTPS `_bulk` and webhook sink for bench/delivery.mjs, run as its own process so it
// does not share the agent's event loop. GET /stats answers the count and per-alert latencies
// (receive time minus the alert's event.created).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { gunzipSync } from 'node:zlib';

const [cert, key] = process.argv.slice(2);
let count = 0;
let latencies = [];
const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET') {
      res.end(JSON.stringify({ count, latencies }));
      if (req.url === '/stats?reset=1') [count, latencies] = [0, []];
      return;
    }
    const now = Date.now();
    const raw = Buffer.concat(chunks);
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
    const lines = text.split('\n').filter(Boolean);
    const docs = req.url.endsWith('/_bulk') ? lines.filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l)) : JSON.parse(text);
    for (const d of docs) latencies.push(now - Date.parse(d.event.created));
    count += docs.length;
    if (req.url.endsWith('/_bulk')) {
      const items = docs.map(() => '{"create":{"status":201}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"errors":false,"items":[${items.join(',')}]}`);
    } else res.writeHead(200).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`port ${server.address().port}`));
