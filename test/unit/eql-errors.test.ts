// Invalid EQL: each query fails with a stable code at the exact line:col, never a crash.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EqlError } from '../../src/eql/errors.js';
import { parseQuery } from '../../src/eql/parser.js';
import { parseRuleFile } from '../../src/rules/load-rules.js';
import { NIGHTJAR_BIN } from '../helpers/paths.js';

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
  ['process where a.`0', 'EQL_LEX', 1, 15],
  ['process where a.``.b', 'EQL_LEX', 1, 15],
  ['process where a.`0`.', 'EQL_LEX', 1, 15],
  ['process where ?a.', 'EQL_LEX', 1, 16],
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

/** Rule files refused when they load, in rules check, replay and run alike: [query lines, code, line, col]. */
const RULE_CASES: [query: string, code: string, line: number, col: number][] = [
  ['process where true\n| head 3', 'EQL_LIVE', 10, 1],
  ['sequence with maxspan=1m\n  [process where true]\n  [network where true]\n| tail 1', 'EQL_LIVE', 12, 1],
  ['process where true | filter a == 1', 'EQL_SEMANTIC', 9, 22],
  ['network where cidrMatch(destination.ip, source.ip)', 'EQL_TYPE', 9, 15],
  ['network where\n  cidrMatch(destination.ip, "10.0.0.0/8", source.ip)', 'EQL_TYPE', 10, 3],
  ['process where process.name regex "("', 'EQL_TYPE', 9, 34],
  ['sequence [process where true] ![network where true]', 'EQL_SEMANTIC', 9, 1],
];

const ruleSource = (query: string) =>
  `[rule]\nrule_id = "r1"\nname = "n"\ndescription = "d"\nrisk_score = 1\nseverity = "low"\ntype = "eql"\nquery = '''\n${query}\n'''\n`;

describe('rule files refused at load', () => {
  it.each(RULE_CASES)('%s -> %s at %i:%i', (query, code, line, col) => {
    const r = parseRuleFile('r.toml', ruleSource(query));
    expect(r.rule).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.line, d.col])).toEqual([[code, line, col]]);
  });

  it('rules check and replay refuse the same files with exit 2, and accept the same', async () => {
    const dir = mkdtempSync(`${tmpdir()}/nightjar-refuse-`);
    writeFileSync(`${dir}/empty.ndjson`, '');
    const files = RULE_CASES.map(([q], i) => {
      writeFileSync(`${dir}/bad${i}.toml`, ruleSource(q));
      return `${dir}/bad${i}.toml`;
    });
    writeFileSync(`${dir}/good.toml`, ruleSource('sample by host.id [process where true] [network where true]'));
    for (const [i, f] of [...files, `${dir}/good.toml`].entries()) {
      const check = await execa(NIGHTJAR_BIN, ['rules', 'check', f], { reject: false });
      const replay = await execa(NIGHTJAR_BIN, ['replay', '--rules', f, `${dir}/empty.ndjson`], { reject: false });
      const bad = i < files.length;
      expect([check.exitCode, replay.exitCode]).toEqual(bad ? [2, 2] : [0, 0]);
      if (bad) expect(check.stderr).toContain(`${f}:${RULE_CASES[i]![2]}:${RULE_CASES[i]![3]}: error ${RULE_CASES[i]![1]}`);
      if (bad) {
        // run/replay name the place too: each diagnostic, then the refusal with the first location
        const at = `${f}:${RULE_CASES[i]![2]}:${RULE_CASES[i]![3]}`;
        expect(replay.stderr).toContain(`${at}: error ${RULE_CASES[i]![1]}`);
        const last = replay.stderr.trim().split('\n').at(-1)!;
        expect(last.slice(0, last.indexOf(' error(s)'))).toBe('nightjar: invalid rules: 1');
        expect(last).toContain(` first at ${at}: ${RULE_CASES[i]![1]}: `);
      }
    }
  });
});
