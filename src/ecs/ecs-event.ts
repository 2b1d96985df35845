// The ECS document type and small builders shared by the mappers.

export type EcsDoc = Record<string, unknown>;

export const ECS_VERSION = '9.4.0';

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
