// Loopback helpers for netcat tests: connect to a listener that may not be up yet, and a host
// `nc -l -p PORT` that accepts one connection and exits (what rule 2 alerts on).

import { connect } from 'node:net';
import { execa } from 'execa';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects to 127.0.0.1:port and sends a line, retrying while nothing listens yet. */
export async function connectTo(port: number, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end('hi\n');
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on ${port}`);
}

export async function hostNcListener(port: number): Promise<void> {
  const nc = execa('nc', ['-l', '-p', String(port)], { reject: false, stdout: 'ignore', timeout: 10000 });
  await connectTo(port);
  await nc;
}
