// EQL source -> tokens. Hand-written; errors carry line:col.

import { EqlError } from './errors.js';

type TokenType =
  | 'ident' | 'string' | 'number' | 'op' | 'punct' | 'keyword' | 'tilde_ident' | 'optional_ident' | 'eof';

export interface Token {
  type: TokenType;
  /** decoded text: the string's value, the identifier's name (backticks removed) */
  value: string;
  /** the source text as written */
  raw: string;
  line: number;
  col: number;
  /** identifier written with backticks */
  quoted?: boolean;
}

export const KEYWORDS = new Set([
  'and', 'or', 'not', 'in', 'in~', 'like', 'like~', 'regex', 'regex~', 'where', 'sequence', 'sample',
  'join', 'by', 'with', 'until', 'any', 'true', 'false', 'null', 'maxspan', 'runs',
]);

const OPERATORS = ['==', '!=', '<=', '>=', '!:', '![', '<', '>', ':', '=', '+', '-', '*', '/', '%'];
const PUNCT = '()[],|';
const IDENT_START = /[A-Za-z_@]/;
const IDENT_PART = /[A-Za-z0-9_@.]/;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = () => i - lineStart + 1;
  const err = (msg: string, l = line, c = col()) => new EqlError('EQL_LEX', msg, l, c);
  const advanceLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      if (src[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
  };

  /** A field name from `at`: segments joined by dots, each plain or `backquoted` (`` is a backquote). */
  const fieldName = (at: number): { value: string; end: number; quoted: boolean } => {
    const l = line;
    const c = at - lineStart + 1;
    let j = at;
    let value = '';
    let quoted = false;
    for (;;) {
      if (src[j] === '`') {
        let seg = '';
        for (j++; ; j++) {
          if (j >= src.length || src[j] === '\n') throw err('unterminated quoted identifier', l, c);
          if (src[j] !== '`') seg += src[j];
          else if (src[j + 1] === '`') seg += src[j++];
          else break;
        }
        j++;
        if (seg === '') throw err('empty quoted identifier', l, c);
        value += seg;
        quoted = true;
      } else {
        const from = j;
        while (j < src.length && /[A-Za-z0-9_@]/.test(src[j]!)) j++;
        if (j === from) throw err(`invalid field name '${src.slice(at, j)}'`, l, c);
        value += src.slice(from, j);
      }
      if (src[j] !== '.') return { value, end: j, quoted };
      value += '.';
      j++;
    }
  };

  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      advanceLines(i, i + 1);
      i++;
      continue;
    }
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (src.startsWith('/*', i)) {
      const l = line;
      const c = col();
      let depth = 0;
      let j = i;
      while (j < src.length) {
        if (src.startsWith('/*', j)) {
          depth++;
          j += 2;
        } else if (src.startsWith('*/', j)) {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      if (depth !== 0) throw err('unterminated comment', l, c);
      advanceLines(i, j);
      i = j;
      continue;
    }
    const start = i;
    const l = line;
    const c = col();
    if (src.startsWith('"""', i)) {
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw err('unterminated raw string', l, c);
      let stop = end + 3;
      while (src[stop] === '"') stop++; // """a"""" ends with a quote inside
      const value = src.slice(i + 3, stop - 3);
      advanceLines(i, stop);
      i = stop;
      out.push({ type: 'string', value, raw: src.slice(start, i), line: l, col: c });
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length || src[j] === '\n') throw err('unterminated string', l, c);
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', b: '\b', f: '\f' };
          if (e !== undefined && simple[e] !== undefined) {
            value += simple[e];
            j += 2;
            continue;
          }
          if (e === 'u' && src[j + 2] === '{') {
            const close = src.indexOf('}', j + 3);
            const hex = close > 0 ? src.slice(j + 3, close) : '';
            if (!/^[0-9a-fA-F]{2,8}$/.test(hex) || Number.parseInt(hex, 16) > 0x10ffff) {
              throw err('invalid unicode escape sequence', l, c + (j - i));
            }
            value += String.fromCodePoint(Number.parseInt(hex, 16));
            j = close + 1;
            continue;
          }
          throw err(`invalid escape sequence \\${e ?? ''}`, l, c + (j - i));
        }
        value += d;
        j++;
      }
      i = j + 1;
      out.push({ type: 'string', value, raw: src.slice(start, i), line: l, col: c });
      continue;
    }
    if (ch === "'") throw err('use double quotes ["] for strings, single quotes are not supported', l, c);
    if (ch === '`') {
      const f = fieldName(i);
      i = f.end;
      out.push({ type: 'ident', value: f.value, raw: src.slice(start, i), line: l, col: c, quoted: true });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      if (IDENT_START.test(src[i] ?? '')) {
        // 5m, 10s: a time unit glued to a number
        const u = /^[A-Za-z]+/.exec(src.slice(i))![0];
        i += u.length;
        out.push({ type: 'number', value: m[0] + u, raw: src.slice(start, i), line: l, col: c });
        continue;
      }
      out.push({ type: 'number', value: m[0], raw: m[0], line: l, col: c });
      continue;
    }
    if (ch === '?') {
      if (!IDENT_START.test(src[i + 1] ?? '') && src[i + 1] !== '`') throw err("'?' must be followed by a field name", l, c);
      const f = fieldName(i + 1);
      i = f.end;
      out.push({ type: 'optional_ident', value: f.value, raw: src.slice(start, i), line: l, col: c, quoted: f.quoted });
      continue;
    }
    if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < src.length && IDENT_PART.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if (src[j] === '~' && (word === 'in' || word === 'like' || word === 'regex' || /^[A-Za-z]/.test(word))) {
        const kw = `${word}~`;
        if (KEYWORDS.has(kw)) {
          i = j + 1;
          out.push({ type: 'keyword', value: kw, raw: kw, line: l, col: c });
          continue;
        }
        if (src[j + 1] === '(' || /\s*\(/.test(src.slice(j + 1, j + 4))) {
          i = j + 1;
          out.push({ type: 'tilde_ident', value: word, raw: `${word}~`, line: l, col: c });
          continue;
        }
      }
      if (word.endsWith('.') && src[j] === '`') {
        // a.`0`.b: a dotted name with backquoted segments, as Elasticsearch accepts
        const f = fieldName(i);
        i = f.end;
        out.push({ type: 'ident', value: f.value, raw: src.slice(start, i), line: l, col: c, quoted: true });
        continue;
      }
      i = j;
      if (word.endsWith('.')) throw err(`invalid field name '${word}'`, l, c);
      if (KEYWORDS.has(word)) out.push({ type: 'keyword', value: word, raw: word, line: l, col: c });
      else out.push({ type: 'ident', value: word, raw: word, line: l, col: c });
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      out.push({ type: 'op', value: op, raw: op, line: l, col: c });
      continue;
    }
    if (ch === '&' || src.startsWith('||', i)) throw err(`'${src.slice(i, i + 2)}' is not an EQL operator; use 'and' / 'or'`, l, c);
    if (PUNCT.includes(ch)) {
      i++;
      out.push({ type: 'punct', value: ch, raw: ch, line: l, col: c });
      continue;
    }
    throw err(`unexpected character '${ch}'`, l, c);
  }
  out.push({ type: 'eof', value: '', raw: '', line, col: col() });
  return out;
}
