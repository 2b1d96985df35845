// Runtime values of EQL expressions. A multi-valued field is an array; missing is null.

export type Scalar = string | number | boolean | null;
export type Value = Scalar | Scalar[];

/**
 * An event that is not (yet) a document: it answers field reads itself and builds its document
 * only when asked. Every read must equal readField(doc(), path) exactly.
 */
export abstract class FieldSource {
  abstract read(path: string[]): Value;
  abstract doc(): Record<string, unknown>;
  /** Kept past the push that saw it (a sequence or sample holds it): fix its content now. */
  pin(): void {
    this.doc();
  }
}

/** Reads a field from a nested document (or a FieldSource); flat dotted keys are honoured too. */
export function readField(doc: unknown, path: string[]): Value {
  if (doc instanceof FieldSource) return doc.read(path);
  return readDocField(doc, path);
}

/** readField over a plain document. */
export function readDocField(doc: unknown, path: string[]): Value {
  let o: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    if (typeof o !== 'object' || o === null) return null;
    if (Array.isArray(o)) return collect(o, path.slice(i));
    const rec = o as Record<string, unknown>;
    let next = rec[path[i]!];
    if (next === undefined && i < path.length - 1) {
      // flat key "a.b.c" at this level
      for (let j = path.length; j > i + 1; j--) {
        const flat = rec[path.slice(i, j).join('.')];
        if (flat !== undefined) {
          next = flat;
          i = j - 1;
          break;
        }
      }
    }
    o = next;
  }
  return normalize(o);
}

function collect(arr: unknown[], rest: string[]): Value {
  const out: Scalar[] = [];
  for (const item of arr) {
    const v = readDocField(item, rest);
    if (Array.isArray(v)) out.push(...v);
    else if (v !== null) out.push(v);
  }
  return out.length ? out : null;
}

/** A document's raw value as EQL sees it (what readField returns for it). */
export function normalize(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    // fast path: an array of scalars (process.args ...) is returned as it is, not copied
    if (v.length && v.every((x) => x !== null && typeof x !== 'object' && x !== undefined)) return v as Scalar[];
    const out = v.flat(Infinity).filter((x): x is string | number | boolean => x !== null && x !== undefined && typeof x !== 'object');
    return out.length ? out : null;
  }
  return null;
}
