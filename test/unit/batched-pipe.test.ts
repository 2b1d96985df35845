// bpftrace's stdout pipe, read in batches: a real child writing one line per write(), every byte
// arrives in order, bursts arrive in far fewer reads than writes, end of file once the child exits.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BatchedPipe } from '../../src/probe/batched-pipe.js';

describe('batched pipe', () => {
  it('carries every line of a burst in order, in fewer reads than writes, then ends', async () => {
    const chunks: string[] = [];
    let reads = 0;
    const ended = new Promise<void>((resolve) => {
      const pipe = new BatchedPipe((bytes) => {
        reads++;
        chunks.push(bytes.toString('latin1'));
      }, resolve);
      // one echo = one write(), as bpftrace writes each line
      spawn('bash', ['-c', 'for ((i=0;i<20000;i++)); do echo "line $i"; done'], { stdio: ['ignore', pipe.writeFd, 'inherit'] });
      pipe.closeWriteEnd();
    });
    await ended;
    const lines = chunks.join('').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(Array.from({ length: 20000 }, (_, i) => `line ${i}`));
    expect(reads).toBeLessThan(20000 / 5);
  });

  it('ends at once when the child exits without writing', async () => {
    let data = 0;
    const pipe = new BatchedPipe(() => data++, () => undefined);
    spawn('true', [], { stdio: ['ignore', pipe.writeFd, 'ignore'] });
    pipe.closeWriteEnd();
    await pipe.closed;
    expect(data).toBe(0);
  });
});
