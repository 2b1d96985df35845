// bpftrace's stdout -> line batches: chunk boundaries anywhere, UTF-8 split across chunks,
// over-long lines dropped whole and counted once, a last line without its newline.

import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/probe/line-splitter.js';

function split(chunks: (string | Buffer)[], maxLength = 1 << 20) {
  const batches: string[][] = [];
  let overflows = 0;
  const s = new LineSplitter(maxLength, (lines) => batches.push(lines), () => overflows++);
  for (const c of chunks) s.write(c);
  s.end();
  return { batches, lines: batches.flat(), overflows };
}

describe('line splitter', () => {
  it('hands on the lines of one chunk as one batch, joining lines cut between chunks', () => {
    const r = split(['a\nb\nc', 'c\nd', '\n\n', 'e']);
    expect(r.batches).toEqual([['a', 'b'], ['cc'], ['d'], ['e']]);
  });

  it('gives the same lines for every way of cutting the stream', () => {
    const text = 'one\ntwo two\n\nthree\ncafé ☕\nlast';
    const bytes = Buffer.from(text);
    const want = ['one', 'two two', 'three', 'café ☕', 'last'];
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        expect(split([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]).lines, `${i} ${j}`).toEqual(want);
      }
    }
  });

  it('drops an over-long line whole, across chunks, counting it once; the lines around it survive', () => {
    const r = split(['ok\nxxxx', 'xxxxxx', 'xx\nfine\n', 'yyyyyyyyyyyy\nz'], 8);
    expect(r.lines).toEqual(['ok', 'fine', 'z']);
    expect(r.overflows).toBe(2);
    expect(split(['12345678\n'], 8).lines).toEqual(['12345678']);
    expect(split(['123456789'], 8)).toMatchObject({ lines: [], overflows: 1 });
  });
});
