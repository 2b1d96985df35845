// Which fields each rule references that a recording of events never carries: the field report
// of `nightjar rules check --fields EVENTS.ndjson`. Pure over parsed queries and documents.

import type { Query } from '../eql/index.js';

/** Every field path the documents carry: leaves and the objects above them. */
export function carriedFields(docs: Iterable<unknown>): Set<string> {
  const out = new Set<string>();
  const walk = (o: unknown, prefix: string): void => {
    if (prefix) out.add(prefix);
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
    for (const [k, v] of Object.entries(o)) walk(v, prefix ? `${prefix}.${k}` : k);
  };
  for (const d of docs) walk(d, '');
  return out;
}

/** Field paths a query references; true when every reference is optional (`?field`). */
export function referencedFields(q: Query): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as { type?: string; path?: unknown; optional?: boolean };
    if (n.type === 'field' && Array.isArray(n.path)) {
      const p = n.path.join('.');
      out.set(p, (out.get(p) ?? true) && Boolean(n.optional));
      return;
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(q);
  return out;
}

/** Event categories a query's stages select (`any` for `any where`). */
export function queryCategories(q: Query): Set<string> {
  const stages = q.type === 'event' ? [q.query] : [...q.stages, ...(q.type === 'sequence' && q.until ? [q.until] : [])].map((s) => s.query);
  return new Set(stages.map((s) => s.category ?? 'any'));
}

export interface FieldReportRow {
  file: string;
  categories: string[];
  /** referenced, never carried */
  missing: string[];
  /** of those, the ones referenced without `?` (the rule cannot match without them) */
  missingRequired: string[];
}

export function fieldReport(rules: readonly { file: string; query: Query }[], carried: ReadonlySet<string>): FieldReportRow[] {
  return rules.map((r) => {
    const refs = referencedFields(r.query);
    const missing = [...refs.keys()].filter((f) => !carried.has(f)).sort();
    return { file: r.file, categories: [...queryCategories(r.query)].sort(), missing, missingRequired: missing.filter((f) => !refs.get(f)) };
  });
}
