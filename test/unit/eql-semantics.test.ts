// Elasticsearch EQL semantics the seed rules depend on, on small ECS-like documents.

import { describe, expect, it } from 'vitest';
import { Compiler } from '../../src/eql/compile.js';
import { EqlError } from '../../src/eql/errors.js';
import { parseExpression } from '../../src/eql/parser.js';

const match = (expr: string, doc: unknown) => new Compiler().predicate(parseExpression(expr))(doc);

describe('EQL semantics', () => {
  const nc = { process: { name: 'nc', args: ['nc', '-lvnp', '4444'] } };

  it(': is case-insensitive with * and ? wildcards, == is exact', () => {
    expect(match('process.name : "NC"', nc)).toBe(true);
    expect(match('process.name == "NC"', nc)).toBe(false);
    expect(match('process.args : "-*l*"', nc)).toBe(true);
    expect(match('process.args : "-?vnp"', nc)).toBe(true);
    expect(match('process.args == "-*l*"', nc)).toBe(false);
    expect(match('process.args like "-*L*"', nc)).toBe(false);
    expect(match('process.args like~ "-*L*"', nc)).toBe(true);
  });

  it('wildcards take regex metacharacters literally and have no escape', () => {
    const d = { a: ['x.y', '$*', 'a-b', 'c\\d', '(q)'] };
    expect(match('a : "x.y"', d)).toBe(true);
    expect(match('a : "x?y"', d)).toBe(true);
    expect(match('a : "xzy"', { a: 'xzy.' })).toBe(false);
    expect(match('a : "$*"', d)).toBe(true);
    expect(match('a : "a-b"', d)).toBe(true);
    expect(match('a : "c\\\\d"', d)).toBe(true);
    expect(match('a : "(q)"', d)).toBe(true);
  });

  it('multi-valued fields match when any value does', () => {
    expect(match('process.args in ("4444", "x")', nc)).toBe(true);
    expect(match('process.args != "nc"', nc)).toBe(false);
    expect(match('process.args : ("-l", "-p")', nc)).toBe(false);
  });

  it('missing values never match a comparison, but not(...) over them is true', () => {
    const host = { process: { name: 'nc' } };
    expect(match('container.id : "*"', host)).toBe(false);
    expect(match('container.id != "x"', host)).toBe(false);
    expect(match('not container.id : "x"', host)).toBe(true);
    expect(match('container.id == null', host)).toBe(true);
    expect(match('process.name != null', host)).toBe(true);
    expect(match('container.id not in ("x")', host)).toBe(true);
  });

  it('reads flat dotted keys as well as nested objects', () => {
    expect(match('process.name : "nc"', { 'process.name': 'nc' })).toBe(true);
    expect(match('process.name : "nc"', { process: { 'name': 'nc' } })).toBe(true);
  });

  it('regex is anchored and case-sensitive; regex~ is not case-sensitive', () => {
    expect(match('process.name regex "n."', nc)).toBe(true);
    expect(match('process.name regex "N."', nc)).toBe(false);
    expect(match('process.name regex~ "N."', nc)).toBe(true);
    expect(match('process.name regex "n"', nc)).toBe(false);
  });

  it('wildcards take quotes, backslashes and astral characters literally, ? is one code point', () => {
    const d = { a: 'say "hi" \\ \u{1f600}!' };
    expect(match('a : "*\\"hi\\"*"', d)).toBe(true);
    expect(match('a like "say*\\\\ ?!"', d)).toBe(true);
    expect(match('a like "say*\\\\ ??!"', d)).toBe(false);
    expect(match('a : "SAY*"', { a: 'say' })).toBe(true);
    expect(match('a : "*STRASSE*"', { a: 'stra\u00dfe' })).toBe(false);
    expect(match('a : "*\u212a*"', { a: 'k' })).toBe(true);
  });

  it('regex follows Lucene: whole string, quoted literals, intervals, \\w; no ^ $ anchors', () => {
    expect(match('a regex "\\"1.2\\"<0-255>"', { a: '1.2200' })).toBe(true);
    expect(match('a regex "\\"1.2\\"<0-255>"', { a: '1x2200' })).toBe(false);
    expect(match('a regex "/var/run/\\\\w+\\\\.(pid|lock)"', { a: '/var/run/x_1.pid' })).toBe(true);
    expect(match('a regex "^a$"', { a: '^a$' })).toBe(true);
    expect(match('a regex "a@"', { a: 'a\nb' })).toBe(true);
  });

  it('regex operators RE2 cannot express are refused at the pattern\'s line:col', () => {
    for (const [expr, col] of [['a regex "x~y"', 9], ['a regex~ ("b", "x&y")', 16], ['a regex "<ip>"', 9], ['a regex "\\\\n"', 9]] as const) {
      let err: unknown;
      try {
        new Compiler().predicate(parseExpression(expr));
      } catch (e) {
        err = e;
      }
      expect(err, expr).toBeInstanceOf(EqlError);
      expect((err as EqlError).code).toBe('EQL_TYPE');
      expect([(err as EqlError).line, (err as EqlError).col], expr).toEqual([1, col]);
    }
  });
});
