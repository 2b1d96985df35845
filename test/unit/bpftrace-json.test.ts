// The printf fast path of parseBpftraceLine gives what JSON.parse gives, for every line shape.

import { describe, expect, it } from 'vitest';
import { parseBpftraceLine, repairBpftraceJson } from '../../src/probe/bpftrace-json.js';

function reference(line: string): { type: string; data: unknown } | undefined {
  try {
    const m = JSON.parse(repairBpftraceJson(line)) as { type?: unknown; data?: unknown } | null;
    return m && typeof m === 'object' && typeof m.type === 'string' ? { type: m.type, data: m.data } : undefined;
  } catch {
    return undefined;
  }
}

const HEAD = '{"type": "printf", "data": "';

describe('bpftrace line fast path', () => {
  it('matches JSON.parse on plain, escaped, repaired, truncated and lookalike lines', () => {
    const lines = [
      `${HEAD}E 1 2 3 4 5 6 7 8 9 10 11 true\\n"}`,
      `${HEAD}\\n"}`,
      `${HEAD}F 1 2 /tmp/a\\"b\\n"}`,
      `${HEAD}F 1 2 /tmp/a\\\\n"}`,
      `${HEAD}F 1 2 tab\\there\\n"}`,
      `${HEAD}F 1 2 caf\\uffffffc3\\uffffffa9\\n"}`,
      `${HEAD}F 1 2 raw\u0001ctl\\n"}`,
      `${HEAD}F 1 2 no newline"}`,
      `${HEAD}abc", "data": "x\\n"}`,
      `${HEAD}x\\n"} `,
      `${HEAD}x\\n"`,
      `${HEAD}é ☃ \ud800\\n"}`,
      '{"type": "lost_events", "data": {"events": 3}}',
      '{"type": "attached_probes", "data": {"probes": 35}}',
      '{"type": "printf", "data": 5}',
      HEAD,
      '',
    ];
    for (const line of lines) expect(parseBpftraceLine(line), line).toEqual(reference(line));
  });

  it('matches JSON.parse on random printf bodies', () => {
    const alphabet = ['a', ' ', '0', '\\', '"', 'n', '\\n', '\\\\', '\\"', '\u0000', '\u001f', 'é', '\\uffffff80', '\\u0041', '}'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 5000; i++) {
      let body = '';
      for (let k = rand(12); k > 0; k--) body += alphabet[rand(alphabet.length)];
      const line = `${HEAD}${body}\\n"}`;
      expect(parseBpftraceLine(line), line).toEqual(reference(line));
    }
  });
});
