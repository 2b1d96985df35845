// Unicode simple case folding, as JavaScript's /iu flag compares characters: code point -> one
// representative of its case class (the ASCII lower-case letter when the class has one).
// Learnt lazily per cased code point, checked against the engine's own /iu; no RegExp touches a value.

const reps = new Map<number, number>();

const single = (s: string): number | undefined => {
  const cp = s.codePointAt(0);
  return cp !== undefined && s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
};

let multi: Map<number, number> | undefined;

/** Code points whose upper case is several (ß, ΐ, ﬅ ...): classes found among themselves. */
function multiUpper(): Map<number, number> {
  const list: number[] = [];
  // SpecialCasing's one-to-many upper cases all lie in these blocks (checked by the tests)
  for (const [from, to] of [[0x80, 0x2000], [0xfb00, 0xfb50]] as const) {
    for (let c = from; c < to; c++) {
      if (single(String.fromCodePoint(c).toUpperCase()) === undefined) list.push(c);
    }
  }
  const text = String.fromCodePoint(...list);
  const out = new Map<number, number>();
  for (const c of list) {
    if (out.has(c)) continue;
    const same = [...text.matchAll(new RegExp(`\\u{${c.toString(16)}}`, 'giu'))].map((m) => m[0].codePointAt(0)!);
    for (const d of same) out.set(d, c);
  }
  return out;
}

/** lower(upper(c)) is the same for every member of a case class (checked by the tests). */
function learn(c: number): number {
  const s = String.fromCodePoint(c);
  const up = single(s.toUpperCase());
  let rep: number;
  if (up === undefined) {
    multi ??= multiUpper();
    rep = multi.get(c) ?? c;
  } else {
    const lo = single(String.fromCodePoint(up).toLowerCase()) ?? up;
    rep = lo === c || new RegExp(`^\\u{${lo.toString(16)}}$`, 'iu').test(s) ? lo : c;
  }
  reps.set(c, rep);
  return rep;
}

/** The representative of c's case class (c itself when it has no other case). */
export function foldCodePoint(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  const known = reps.get(c);
  if (known !== undefined) return known;
  const s = String.fromCodePoint(c);
  // a code point with no case mapping either way is alone in its class (checked by the tests)
  if (s.toLowerCase() === s && s.toUpperCase() === s) return c;
  return learn(c);
}

const RECENT = 4;
const recentIn: string[] = [];
const recentOut: string[] = [];
let slot = 0;

/** The string with every code point replaced by its case representative. */
export function foldString(s: string): string {
  // one event's few long fields are folded for many patterns, alternately
  for (let i = 0; i < recentIn.length; i++) if (recentIn[i] === s) return recentOut[i]!;
  const out = fold(s);
  recentIn[slot] = s;
  recentOut[slot] = out;
  slot = (slot + 1) % RECENT;
  return out;
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
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; ) {
    const c = s.codePointAt(i)!;
    const w = c > 0xffff ? 2 : 1;
    const f = foldCodePoint(c);
    if (f !== c) {
      out += s.slice(run, i) + String.fromCodePoint(f);
      run = i + w;
    }
    i += w;
  }
  return run === 0 ? s : out + s.slice(run);
}
