// Invalid EQL: each query fails with a stable code at the exact line:col, never a crash.

import { describe, expect, it } from 'vitest';
import { EqlError } from '../../src/eql/errors.js';
import { parseQuery } from '../../src/eql/parser.js';

const CASES: [query: string, code: string, line: number, col: number][] = [
  ['process where process_name == \'cmd.exe\'', 'EQL_LEX', 1, 31],
  ['process where a == 1 AND b == 2', 'EQL_SYNTAX', 1, 22],
  ['process where a == 1 OR b == 2', 'EQL_SYNTAX', 1, 22],
  ['process where NOT a == 1', 'EQL_SYNTAX', 1, 15],
  ['process where a = 1', 'EQL_SYNTAX', 1, 17],
  ['process where a == 1 && b == 2', 'EQL_LEX', 1, 22],
  ['process where a == 1 || b == 2', 'EQL_LEX', 1, 22],
  ['process where a ==', 'EQL_SYNTAX', 1, 19],
  ['process where (a == 1', 'EQL_SYNTAX', 1, 22],
  ['process where a == 1)', 'EQL_SYNTAX', 1, 21],
  ['process a == 1', 'EQL_SYNTAX', 1, 9],
  ['where a == 1', 'EQL_SYNTAX', 1, 1],
  ['process where', 'EQL_SYNTAX', 1, 14],
  ['process where a == "unterminated', 'EQL_LEX', 1, 20],
  ['process where a == "bad \\q escape"', 'EQL_LEX', 1, 25],
  ['process where a == "\\u{zz}"', 'EQL_LEX', 1, 21],
  ['process where a == 1 /* unterminated', 'EQL_LEX', 1, 22],
  ['process where a == #', 'EQL_LEX', 1, 20],
  ['process where foo(a)', 'EQL_FUNCTION', 1, 15],
  ['process where length()', 'EQL_FUNCTION', 1, 15],
  ['process where length(a, b)', 'EQL_FUNCTION', 1, 15],
  ['process where substring(a)', 'EQL_FUNCTION', 1, 15],
  ['process where add(1)', 'EQL_FUNCTION', 1, 15],
  ['process where cidrMatch(a)', 'EQL_FUNCTION', 1, 15],
  ['process where length~(a)', 'EQL_FUNCTION', 1, 15],
  ['process where a : b', 'EQL_TYPE', 1, 19],
  ['process where a like 1', 'EQL_TYPE', 1, 22],
  ['process where a regex "("', 'EQL_TYPE', 1, 23],
  ['process where a == b == c', 'EQL_SYNTAX', 1, 22],
  ['process where a in ()', 'EQL_SYNTAX', 1, 21],
  ['process where a in 1', 'EQL_SYNTAX', 1, 20],
  ['process where a not like "x"', 'EQL_SYNTAX', 1, 17],
  ['sequence with maxspan=1m by a [process where true] [file where true]', 'EQL_SEMANTIC', 1, 26],
  ['sequence by a [process where true] by b [file where true]', 'EQL_SEMANTIC', 1, 42],
  ['sequence [process where true] by a [file where true] by a, b', 'EQL_SEMANTIC', 1, 57],
  ['sequence [process where true]', 'EQL_SEMANTIC', 1, 1],
  ['sequence with maxspan=10 [process where true] [file where true]', 'EQL_SEMANTIC', 1, 23],
  ['sequence with maxspan=10y [process where true] [file where true]', 'EQL_SEMANTIC', 1, 23],
  ['sequence [process where true] [file where true] with runs=0', 'EQL_SEMANTIC', 1, 59],
  ['sequence ![process where true] [file where true]', 'EQL_SEMANTIC', 1, 1],
  ['sequence with maxspan=1s ![process where true] ![file where true]', 'EQL_SEMANTIC', 1, 1],
  ['sequence [process where true] [file where true] until ![file where true]', 'EQL_SEMANTIC', 1, 55],
  ['sequence [process where true] [file where true] by 1', 'EQL_TYPE', 1, 52],
  ['join [process where true] [file where true]', 'EQL_SEMANTIC', 1, 1],
  ['process where true | filter a == 1', 'EQL_SEMANTIC', 1, 22],
  ['process where true | head -1', 'EQL_SEMANTIC', 1, 27],
  ['process where true | head 1.5', 'EQL_SEMANTIC', 1, 27],
  ['process where true | sort a', 'EQL_SEMANTIC', 1, 22],
  ['process where ?', 'EQL_LEX', 1, 15],
  ['process where a.', 'EQL_LEX', 1, 15],
  ['process where 99999999999999999999 == a', 'EQL_TYPE', 1, 15],
  ['process where `a', 'EQL_LEX', 1, 15],
  ['process where a ==\n  == b', 'EQL_SYNTAX', 2, 3],
];

describe('invalid EQL', () => {
  it.each(CASES)('%s -> %s at %i:%i', (query, code, line, col) => {
    let err: unknown;
    try {
      parseQuery(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EqlError);
    const e = err as EqlError;
    expect([e.code, e.line, e.col]).toEqual([code, line, col]);
    expect(e.message).toMatch(new RegExp(`\\(${line}:${col}\\)$`));
    expect(e.render(query).split('\n')).toHaveLength(3);
  });

  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});
