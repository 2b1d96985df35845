// Unicode simple case folding, as JavaScript's /iu flag compares characters: code point -> one
// representative of its case class (the ASCII lower-case letter when the class has one).
// Built once, on first use, from the engine's own /iu matching; no RegExp is used per value.

let table: Map<number, number> | undefined;

// every cased character lies below U+20000 (planes 0 and 1)
const CASED_LIMIT = 0x20000;

function build(): Map<number, number> {
  const universe: number[] = [];
  for (let c = 0; c < CASED_LIMIT; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const s = String.fromCodePoint(c);
    if (s.toLowerCase() !== s || s.toUpperCase() !== s) universe.push(c);
  }
  const parent = new Map<number, number>();
  const find = (c: number): number => {
    let r = c;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(c, r);
    return r;
  };
  const link = (a: number, b: number) => {
    const x = find(a);
    const y = find(b);
    if (x !== y) parent.set(Math.max(x, y), Math.min(x, y));
  };
  const single = (s: string): number | undefined => {
    const cp = s.codePointAt(0)!;
    return s.length === String.fromCodePoint(cp).length ? cp : undefined;
  };
  for (const c of universe) {
    const s = String.fromCodePoint(c);
    const re = new RegExp(`^[${s.replace(/[\\\]^-]/g, '\\$&')}]$`, 'iu');
    // the simple fold of c is one of these, and it matches c: so c joins its fold's class
    const lo = s.toLowerCase();
    const up = s.toUpperCase();
    for (const cand of [lo, up, up.toLowerCase(), lo.toUpperCase()]) {
      const d = single(cand);
      if (d !== undefined && d !== c && re.test(cand)) link(c, d);
    }
  }
  const members = new Map<number, number[]>();
  for (const c of universe) {
    const r = find(c);
    members.set(r, [...(members.get(r) ?? []), c]);
  }
  const out = new Map<number, number>();
  for (const group of members.values()) {
    if (group.length < 2) continue;
    const ascii = group.find((c) => c >= 0x61 && c <= 0x7a);
    const rep = ascii ?? Math.min(...group);
    for (const c of group) if (c !== rep) out.set(c, rep);
  }
  return out;
}

export function foldTable(): Map<number, number> {
  table ??= build();
  return table;
}

let lastIn = '';
let lastOut = '';

/** The string with every code point replaced by its case representative. */
export function foldString(s: string): string {
  // one event's field is usually folded for several patterns in a row
  if (s === lastIn) return lastOut;
  lastOut = fold(s);
  lastIn = s;
  return lastOut;
}

function fold(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  // ASCII letters' classes are represented by the lower-case ASCII letter
  if (ascii) return s.toLowerCase();
  const t = foldTable();
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i)!;
    const w = c > 0xffff ? 2 : 1;
    const f = c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 32 : c) : t.get(c);
    if (f !== undefined && f !== c) {
      out += s.slice(run, i) + String.fromCodePoint(f);
      run = i + w;
    }
    i += w;
  }
  return run === 0 ? s : out + s.slice(run);
}
