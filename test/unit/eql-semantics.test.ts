// Elasticsearch EQL semantics the seed rules depend on, on small ECS-like documents.

import { describe, expect, it } from 'vitest';
import { Compiler } from '../../src/eql/compile.js';
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
});
