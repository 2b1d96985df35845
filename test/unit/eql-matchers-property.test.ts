// The linear-time matchers against references on seeded random inputs: wildcards against the
// former RegExp translation (today's semantics), Lucene regexes against JS RegExp where the two
// syntaxes agree, numeric intervals against arithmetic, and the case-fold table against /iu.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { foldCodePoint } from '../../src/eql/case-fold.js';
import { compileLuceneRegex, luceneToRe2, LuceneRegexError } from '../../src/eql/lucene-regex.js';
import { compileWildcard, wildcardSteps } from '../../src/eql/wildcard.js';
import { DETECTION_RULES } from '../helpers/shared-corpus.js';

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (alphabet: readonly string[], max: number) => Array.from({ length: int(max + 1) }, () => pick(alphabet)).join('');
  return { int, pick, str };
}

/** The translation wildcards had before: * -> [\s\S]*, ? -> [\s\S], the rest literal, by code point. */
function referenceWildcard(pattern: string, ci: boolean): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '[\\s\\S]*';
    else if (ch === '?') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, ci ? 'iu' : 'u');
}

// letters whose case classes are wider than ASCII, metacharacters, a quote, astral and lone surrogates
const WILD_CHARS = ['a', 'b', 'A', 'B', 'k', 'K', '\u212a', 's', 'S', '\u017f', '\u03c3', '\u03c2', '\u03a3', 'i', 'I', '\u0130', '\u0131',
  '\u00df', '\u1e9e', '"', '\\', '.', '(', '[', ']', '$', '^', '{', '|', '+', '-', '/', '\u{1f600}', '\u{10400}', '\u{10428}', '\ud800', '\udc00', ' '];

describe('wildcard matcher', () => {
  for (const ci of [false, true]) {
    it(`agrees with the former RegExp translation (${ci ? 'insensitive' : 'case-sensitive'})`, () => {
      const r = rng(ci ? 7 : 3);
      let n = 0;
      for (let i = 0; i < 2500; i++) {
        const pattern = r.str([...WILD_CHARS, '*', '*', '?'], 8);
        const ref = referenceWildcard(pattern, ci);
        const m = compileWildcard(pattern, ci);
        for (let j = 0; j < 12; j++) {
          // values built from the pattern's own characters match far more often than random ones
          const value = j % 2 ? r.str(WILD_CHARS, 12) : [...pattern].map((c) => (c === '*' ? r.str(WILD_CHARS, 3) : c === '?' ? r.pick(WILD_CHARS) : c)).join('');
          const before = wildcardSteps.count;
          const got = m.test(value);
          expect(got, JSON.stringify({ pattern, value, ci })).toBe(ref.test(value));
          expect(wildcardSteps.count - before).toBeLessThanOrEqual(4 * (value.length + 2) * (pattern.length + 2));
          if (got) n++;
        }
      }
      expect(n).toBeGreaterThan(6000);
    });
  }

  it('case folding gives each /iu case class exactly one representative', () => {
    const cased: number[] = [];
    const plain: string[] = [];
    const wrong: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      if (s.toLowerCase() !== s || s.toUpperCase() !== s) {
        cased.push(c);
        // one-to-many upper cases only where case-fold.ts looks for them
        if (s.toUpperCase().length > 2 || (s.toUpperCase().length === 2 && s.toUpperCase().codePointAt(0)! <= 0xffff)) {
          if (!((c >= 0x80 && c < 0x2000) || (c >= 0xfb00 && c < 0xfb50))) wrong.push(c);
        }
      } else {
        if (foldCodePoint(c) !== c) wrong.push(c);
        plain.push(s);
      }
      // compile.ts skips lower-casing a value longer than the pattern: lower-casing never shortens
      if (s.toLowerCase().length < s.length) wrong.push(c);
    }
    expect(wrong).toEqual([]);
    const reps = new Set<number>();
    for (const c of cased) {
      const rep = foldCodePoint(c);
      reps.add(rep);
      if (!new RegExp(`^\\u{${rep.toString(16)}}$`, 'iu').test(String.fromCodePoint(c))) wrong.push(c);
    }
    expect(wrong).toEqual([]);
    // representatives are pairwise not case-equal, so case-equal code points share one
    const repText = [...reps].map((c) => String.fromCodePoint(c)).join('');
    for (const rep of reps) if (repText.match(new RegExp(`\\u{${rep.toString(16)}}`, 'giu'))?.length !== 1) wrong.push(rep);
    expect(wrong).toEqual([]);
    // and a code point with no case mapping is case-equal to no cased one
    const anyCased = new RegExp(`[${cased.map((c) => `\\u{${c.toString(16)}}`).join('')}]`, 'iu');
    expect(anyCased.test(plain.join(''))).toBe(false);
  });
});

/** Lucene patterns whose meaning is the same as a JS RegExp's, anchored both ends, dot-all. */
function linuxRulePatterns(): string[] {
  if (!DETECTION_RULES) return [];
  const dir = `${DETECTION_RULES}/rules/linux`;
  const out = new Set<string>();
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.toml'));
  } catch {
    return [];
  }
  for (const f of files) {
    const text = readFileSync(`${dir}/${f}`, 'utf8');
    for (const m of text.matchAll(/regex~?\s+(?:"""(.*?)"""|"((?:[^"\\]|\\.)*)")/g)) {
      out.add(m[1] ?? JSON.parse(`"${m[2]}"`));
    }
  }
  return [...out];
}

const RULE_PATTERNS = [
  '.*?net1[ ]+localgroup.*?', '.*?net1.*?', '.*?net1[ ]+[a-z]{4,15}[ ]+.*?', '.*?net[1]?  localgroup.*?', '.*? myappserver.py .*?',
  '-[A-NP-Za-np-z][A-Za-z]*[RLDwW][A-Za-z]*', '-[^-]*[uz][^-]*', '\\.[a-z0-9_\\-][a-z0-9_\\-\\.]{1,254}', '/var/run/\\w+\\.(pid|lock|reboot)',
  'php?[0-9]?\\.?[0-9]{0,2}', '.*[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}(:[0-9]{1,5})?\\/[^ ]+.*',
  '.*[A-Za-z0-9][A-Za-z0-9\\-]*(\\.[A-Za-z0-9][A-Za-z0-9\\-]*)+(:[0-9]{1,5})?\\/[^ ]+.*',
];

describe('Lucene regex translation', () => {
  it('agrees with JS RegExp on the rules\' patterns (Elastic Linux rules and conformance suite)', () => {
    const patterns = [...new Set([...RULE_PATTERNS, ...linuxRulePatterns()])];
    expect(patterns.length).toBeGreaterThanOrEqual(RULE_PATTERNS.length);
    const r = rng(11);
    const alphabet = ['1', '9', '0', '.', ':', '/', ' ', '-', 'a', 'z', 'R', 'p', 'h', 'u', 'N', 'net1', 'localgroup', '127.0.0.1',
      '/var/run/', 'pid', 'php', 'x.com', '\n', '_', '\u00e9'];
    for (const p of patterns) {
      for (const ci of [false, true]) {
        const ours = compileLuceneRegex(p, ci);
        const js = new RegExp(`^(?:${p})$`, ci ? 'isu' : 'su');
        for (let i = 0; i < 800; i++) {
          const v = r.str(alphabet, 10);
          expect(ours.test(v), JSON.stringify({ p, v, ci })).toBe(js.test(v));
        }
      }
    }
  });

  it('agrees with JS RegExp on random patterns of the shared syntax', () => {
    const r = rng(5);
    const atom = (depth: number): string => {
      const k = r.int(depth > 2 ? 5 : 7);
      if (k === 0) return r.pick(['a', 'b', 'A', '\\.', '-', ' ', '\u00e9']);
      if (k === 1) return '.';
      if (k === 2) return r.pick(['[ab]', '[^a]', '[a-c]', '[^ -b]', '\\d', '\\w', '\\s', '\\S', '[\\w.]']);
      if (k === 3 || k === 4) return r.pick(['a', 'b', 'B']);
      if (k === 5) return `(${seq(depth + 1)})`;
      return `(${seq(depth + 1)}|${seq(depth + 1)})`;
    };
    const seq = (depth: number): string => Array.from({ length: 1 + r.int(3) }, () => atom(depth) + r.pick(['', '', '?', '*', '+', '{1,2}', '{2}', '{0,}'])).join('');
    for (let i = 0; i < 800; i++) {
      const p = seq(0);
      const ci = i % 2 === 1;
      const ours = compileLuceneRegex(p, ci);
      const js = new RegExp(`^(?:${p})$`, ci ? 'isu' : 'su');
      for (let j = 0; j < 30; j++) {
        const v = r.str(['a', 'b', 'A', 'B', 'c', '.', '-', ' ', '\u00e9', '1', '_', '\t'], 6);
        expect(ours.test(v), JSON.stringify({ p, v, ci })).toBe(js.test(v));
      }
    }
  });

  it('numeric intervals <n-m> match the decimal numbers in range, fixed width when both bounds have as many digits', () => {
    const r = rng(13);
    for (let i = 0; i < 300; i++) {
      const a = r.int(r.pick([10, 100, 5000]));
      const b = r.int(r.pick([10, 100, 5000]));
      const fixed = i % 3 === 0;
      const width = Math.max(String(a).length, String(b).length);
      const sa = fixed ? String(a).padStart(width, '0') : String(a);
      const sb = fixed ? String(b).padStart(width, '0') : String(b);
      const m = compileLuceneRegex(`x<${sa}-${sb}>`, false);
      const digits = sa.length === sb.length ? sa.length : 0;
      const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
      for (let j = 0; j < 40; j++) {
        const v = String(r.int(6000)).padStart(r.int(6), '0');
        const want = Number(v) >= lo && Number(v) <= hi && (digits === 0 || v.length === digits);
        expect(m.test(`x${v}`), JSON.stringify({ sa, sb, v })).toBe(want);
      }
    }
  });

  it('Lucene-only syntax: quoted strings, @, #, escapes, literal reserved characters', () => {
    const t = (p: string, v: string, ci = false) => compileLuceneRegex(p, ci).test(v);
    expect(t('"a.b*"c', 'a.b*c')).toBe(true);
    expect(t('"a.b*"c', 'axb*c')).toBe(false);
    expect(t('a@', 'a\nanything')).toBe(true);
    expect(t('a|#', 'a')).toBe(true);
    expect(t('#', '')).toBe(false);
    expect(t('\\@\\#\\<', '@#<')).toBe(true);
    expect(t('^a$', '^a$')).toBe(true);
    expect(t('*a', '*a')).toBe(true);
    expect(t('a**', 'aaa')).toBe(true);
    expect(t('()', '')).toBe(true);
    expect(t('[]a]+', ']a]')).toBe(true);
    expect(t('a{3,2}', 'aa')).toBe(false);
    expect(t('\\s+', ' \t\n\r')).toBe(true);
    expect(t('\\s', '\f')).toBe(false);
    expect(t('.', '\u{1f600}')).toBe(true);
    expect(t('ABC', 'abc', true)).toBe(true);
  });

  it('refuses what RE2 cannot express, with the offset', () => {
    const refused = (p: string) => {
      try {
        luceneToRe2(p);
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(LuceneRegexError);
        return (e as LuceneRegexError).offset;
      }
    };
    expect(refused('ab~c')).toBe(2);
    expect(refused('a&b')).toBe(1);
    expect(refused('x<ip>')).toBe(1);
    expect(refused('a\\n')).toBe(2);
    expect(refused('a{1001}')).toBe(1);
    expect(refused('(a')).toBe(2);
    expect(refused('[b-a]')).toBe(1);
    expect(refused('a)')).toBe(1);
    expect(refused('"abc')).toBe(4);
    expect(refused('('.repeat(20000) + ')'.repeat(20000))).toBe(0);
    expect(refused('\\~\\&')).toBeUndefined();
  });
});
