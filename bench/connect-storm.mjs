// A loopback TCP connect/accept storm: N connections, C at a time, to a server in this
// process; prints the seconds it took and how many connections the server accepted (the
// last few may still sit in the listen queue when the clients are done: never accept()ed).
// usage: node bench/connect-storm.mjs N C
import { createServer, connect } from 'node:net';

const n = Number(process.argv[2] ?? 20000);
const c = Number(process.argv[3] ?? 32);
let accepted = 0;
const server = createServer((s) => {
  accepted++;
  s.destroy();
}).listen(0, '127.0.0.1');
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
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
server.close();
console.log(JSON.stringify({ seconds, connects: n, accepted }));
