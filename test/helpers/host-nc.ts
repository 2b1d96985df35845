// A host `nc -l -p PORT` that accepts one loopback connection and exits: what rule 2 (netcat
// listener with a network event) alerts on. Resolves once nc has exited.

import { connect } from 'node:net';
import { execa } from 'execa';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function hostNcListener(port: number): Promise<void> {
  const nc = execa('nc', ['-l', '-p', String(port)], { reject: false, stdout: 'ignore', timeout: 10000 });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end('hi\n');
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (ok) break;
    await sleep(50);
  }
  await nc;
}
