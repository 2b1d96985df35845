// The pieces of delivery on their own: backoff bounds, Retry-After, the queue reader across
// rotation and half-written lines, and the Falco payload.

import { appendFileSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlertQueue } from '../../src/delivery/alert-queue.js';
import { falcoPayload } from '../../src/delivery/falco-payload.js';
import { retryAfterMs } from '../../src/delivery/http-client.js';
import { backoffMs } from '../../src/delivery/backoff.js';
import { alert } from '../helpers/delivery-rig.js';

describe('backoff', () => {
  it('doubles from 1 s to a 60 s ceiling, each wait drawn from [ceiling/2, ceiling]', () => {
    const lo = [0, 1, 2, 3, 6, 7, 20].map((a) => backoffMs(a, 1000, 60000, () => 0));
    const hi = [0, 1, 2, 3, 6, 7, 20].map((a) => backoffMs(a, 1000, 60000, () => 1));
    expect(lo).toEqual([500, 1000, 2000, 4000, 30000, 30000, 30000]);
    expect(hi).toEqual([1000, 2000, 4000, 8000, 60000, 60000, 60000]);
  });

  it('reads Retry-After as seconds or an HTTP date, bounded to 10 minutes', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30000);
    expect(retryAfterMs('999999', now)).toBe(600000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('alert queue', () => {
  it('hands out whole lines only, follows a rotation, and resumes at a checkpoint', () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-queue-`);
    const path = `${d}/a.ndjson`;
    writeFileSync(path, '{"n":1}\n{"n":2}\n{"n":');
    const q = new AlertQueue(path);
    q.open(undefined, 'oldest');
    expect(q.read(10, 1 << 20).lines).toEqual(['{"n":1}', '{"n":2}']);
    appendFileSync(path, '3}\n');
    const mid = q.read(10, 1 << 20);
    expect(mid.lines).toEqual(['{"n":3}']);
    renameSync(path, `${path}.1`);
    writeFileSync(path, '{"n":4}\n');
    appendFileSync(`${path}.1`, ''); // sealed: nothing more
    expect(q.read(10, 1 << 20).lines).toEqual(['{"n":4}']);
    q.close();
    const again = new AlertQueue(path);
    again.open(mid.end, 'oldest');
    expect(again.unread).toBe(1);
    expect(again.read(10, 1 << 20).lines).toEqual(['{"n":4}']);
    again.close();
  });

  it('respects max lines and max bytes, sending one longer line alone', () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-queue-`);
    writeFileSync(`${d}/a`, `${'x'.repeat(100)}\n${'y'.repeat(10)}\n${'z'.repeat(10)}\n`);
    const q = new AlertQueue(`${d}/a`);
    q.open(undefined, 'oldest');
    expect(q.read(10, 50).lines.map((l) => l.length)).toEqual([100]);
    expect(q.read(1, 50).lines.map((l) => l.length)).toEqual([10]);
    expect(q.read(10, 50).lines.map((l) => l.length)).toEqual([10]);
    q.close();
  });
});

describe('falco payload', () => {
  it('carries the rule, a priority from the severity, and Falco field names', () => {
    const p = falcoPayload(alert('0123456789abcdef0123456789abcdef', { container: { id: 'c0ffee' } }), '0123456789abcdef0123456789abcdef');
    expect(p).toMatchObject({
      uuid: '01234567-89ab-cdef-0123-456789abcdef', priority: 'Error', rule: 'Test Rule', source: 'nightjar', hostname: 'h1',
      output_fields: { 'proc.name': 'nc', 'proc.cmdline': 'nc -l 4444', 'proc.pid': 42, 'container.id': 'c0ffee' },
    });
    expect(String(p.output)).toMatch(/: Error test alert /);
  });
});

describe('alert log as a queue, randomised', () => {
  it('every alert written is read once, in order, across rotations, restarts at checkpoints, and retention', async () => {
    const { AlertLog } = await import('../../src/alerts/alert-log.js');
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const d = mkdtempSync(`${tmpdir()}/nightjar-queue-fuzz-`);
      const path = `${d}/a.ndjson`;
      let queue = new AlertQueue(path);
      const retention = { neededInodes: () => [queue.currentIno].filter((i) => i > 0), dropped: () => { throw new Error('nothing may be dropped under this bound'); } };
      const log = new AlertLog(path, { maxBytes: 200 + Math.floor(rand() * 2000), keep: 1 + Math.floor(rand() * 3), maxUndeliveredBytes: 1 << 30, retention }, (n) => queue.written(n));
      queue.open(undefined, 'oldest');
      let written = 0;
      const read: number[] = [];
      let checkpoint = queue.checkpoint();
      for (let step = 0; step < 300; step++) {
        const r = rand();
        if (r < 0.5) {
          for (let k = Math.floor(rand() * 5); k >= 0; k--) log.append({ n: written++, pad: 'x'.repeat(Math.floor(rand() * 120)) });
          log.flush();
        } else if (r < 0.9) {
          const b = queue.read(1 + Math.floor(rand() * 10), 100 + Math.floor(rand() * 1000));
          read.push(...b.lines.map((l) => (JSON.parse(l) as { n: number }).n));
          checkpoint = b.end;
        } else {
          // a restart: a new reader resumes at the last checkpoint
          queue.close();
          queue = new AlertQueue(path);
          queue.open(checkpoint, 'oldest');
        }
      }
      for (;;) {
        const b = queue.read(1000, 1 << 20);
        if (!b.lines.length) break;
        read.push(...b.lines.map((l) => (JSON.parse(l) as { n: number }).n));
      }
      expect(queue.unread).toBe(0);
      log.close();
      queue.close();
      expect(read).toEqual(Array.from({ length: written }, (_, i) => i));
    }
  });
});
