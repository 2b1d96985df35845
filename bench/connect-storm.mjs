// A loopback TCP connect/accept storm: N connections, C at a time, to a server in this
// process; prints the seconds it took. usage: node bench/connect-storm.mjs N C
import { createServer, connect } from 'node:net';

const n = Number(process.argv[2] ?? 20000);
const c = Number(process.argv[3] ?? 32);
const server = createServer((s) => s.destroy()).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address();
let started = 0;
const t0 = process.hrtime.bigint();
const worker = async () => {
  while (started < n) {
    started++;
    await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.destroy());
      s.once('close', resolve).once('error', resolve);
    });
  }
};
await Promise.all(Array.from({ length: c }, worker));
console.log(Number(process.hrtime.bigint() - t0) / 1e9);
server.close();
