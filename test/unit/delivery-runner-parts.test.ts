// The output runner's parts on their own: a sender's outcome as the send-result union, batches
// formed by count and bytes from a real alert log file, checkpoints saved and retried on disk.

import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { AlertQueue } from '../../src/delivery/alert-queue.js';
import { Sleeper } from '../../src/delivery/backoff.js';
import { BatchCollector } from '../../src/delivery/batch-collector.js';
import { CheckpointTimer } from '../../src/delivery/checkpoint-timer.js';
import { DeadLetterFile } from '../../src/delivery/dead-letter.js';
import { sendResults } from '../../src/delivery/send-result.js';
import { toQueued } from '../../src/delivery/sender.js';

const group = ['{"n":1}', '{"n":2}', '{"n":3}'].map(toQueued);

describe('send results', () => {
  it('reads each outcome as dead letters, then deliveries, then a split or a retry', () => {
    expect(sendResults({ delivered: 3, retry: [], dead: [] }, group)).toEqual([{ kind: 'delivered', count: 3 }]);
    expect(sendResults({ delivered: 0, retry: [], dead: [], split: true }, group)).toEqual([{ kind: 'split', halves: [group.slice(0, 2), group.slice(2)] }]);
    const dead = [{ alert: group[0]!, status: 400, reason: 'mapping' }];
    expect(sendResults({ delivered: 1, retry: [group[2]!], dead, retryAfterMs: 2000, error: '429' }, group).map((r) => r.kind)).toEqual(['dead-letter', 'delivered', 'retry-after']);
    expect(sendResults({ delivered: 0, retry: group, dead: [], error: 'refused' }, group)).toEqual([{ kind: 'retry-after', alerts: group, serverWaitMs: undefined, error: 'refused' }]);
    // a split wins over a retry list: the whole group goes again in halves
    expect(sendResults({ delivered: 0, retry: group, dead: [], split: true }, group).map((r) => r.kind)).toEqual(['split']);
  });
});

describe('batch collector', () => {
  it('forms batches by count and bytes, ending where the checkpoint moves', async () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-collect-`);
    writeFileSync(`${d}/a`, `${['{"n":1}', '{"n":2}', '{"n":3}', `{"n":"${'x'.repeat(100)}"}`, '{"n":5}'].join('\n')}\n`);
    const q = new AlertQueue(`${d}/a`);
    q.open(undefined, 'oldest');
    const c = new BatchCollector(q, { maxAlerts: 2, maxBytes: 50, maxWaitMs: 0 }, new Sleeper());
    const sizes: number[] = [];
    for (let b = await c.next(); b; b = await c.next()) {
      sizes.push(b.alerts.length);
      if (!q.unread) expect(b.end).toEqual(q.checkpoint());
    }
    expect(sizes).toEqual([2, 1, 1, 1]);
    q.close();
  });

  it('returns nothing at once when stopped with an empty queue', async () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-collect-`);
    writeFileSync(`${d}/a`, '');
    const q = new AlertQueue(`${d}/a`);
    q.open(undefined, 'oldest');
    const s = new Sleeper();
    s.stop();
    expect(await new BatchCollector(q, { maxAlerts: 2, maxBytes: 50, maxWaitMs: 60_000 }, s).next()).toBeUndefined();
    q.close();
  });
});

describe('checkpoint timer and dead-letter file', () => {
  it('saves at once when the backlog is empty, and keeps a failed save for the next try', () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-cp-`);
    const errors: string[] = [];
    const t = new CheckpointTimer(`${d}/out/x.checkpoint.json`, (why) => errors.push(why));
    t.start({ ino: 1, head: 'h', offset: 0 });
    t.passed({ ino: 1, head: 'h', offset: 10 }, true);
    expect(JSON.parse(readFileSync(`${d}/out/x.checkpoint.json`, 'utf8'))).toEqual({ ino: 1, head: 'h', offset: 10 });
    if (process.getuid?.() === 0) return; // root writes anyway
    chmodSync(`${d}/out`, 0o500);
    t.passed({ ino: 1, head: 'h', offset: 20 }, true);
    expect(errors.length).toBe(1);
    chmodSync(`${d}/out`, 0o750);
    t.save();
    expect(JSON.parse(readFileSync(`${d}/out/x.checkpoint.json`, 'utf8')).offset).toBe(20);
  });

  it('creates the dead-letter file only at the first refusal, and throws when it cannot write', () => {
    const d = mkdtempSync(`${tmpdir()}/nightjar-dl-`);
    const f = new DeadLetterFile('es', `${d}/es.dead-letter.ndjson`, { maxBytes: 1 << 20, keep: 2 });
    expect(existsSync(f.path)).toBe(false);
    f.write([{ alert: group[0]!, status: 400, reason: 'mapping' }]);
    f.close();
    expect(JSON.parse(readFileSync(f.path, 'utf8'))).toMatchObject({ output: 'es', status: 400, reason: 'mapping', alert: { n: 1 } });
    writeFileSync(`${d}/file`, '');
    const bad = new DeadLetterFile('es', `${d}/file/x.ndjson`, { maxBytes: 1 << 20, keep: 2 });
    expect(() => bad.write([{ alert: group[0]!, status: 400, reason: 'r' }])).toThrow();
  });
});
