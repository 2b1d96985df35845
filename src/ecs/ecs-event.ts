// The ECS document type and small builders shared by the mappers.

export type EcsDoc = Record<string, unknown>;

export const ECS_VERSION = '9.4.0';

/** Sets a.b.c = value on a nested document, creating objects along the way. */
export function setPath(doc: EcsDoc, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = doc;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    let next = o[k];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      o[k] = next;
    }
    o = next as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}

/** Reads a dotted path from a nested document (or from a flat dotted key). */
export function getPath(doc: unknown, path: string): unknown {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const flat = (doc as Record<string, unknown>)[path];
  if (flat !== undefined) return flat;
  let o: unknown = doc;
  for (const k of path.split('.')) {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
    o = (o as Record<string, unknown>)[k];
  }
  return o;
}
