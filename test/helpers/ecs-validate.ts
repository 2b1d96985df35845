// Checks an ECS document against @elastic/ecs (EcsFlat, ECS 9.4): every leaf field exists in
// ECS (or is under nightjar.*, or is one of Elastic Defend's extension fields that its Linux
// rules read, listed below), values fit the type, array fields are arrays, and fields with
// allowed values use them. Returns a list of problems (empty = valid).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { EcsFlat } from '@elastic/ecs';

interface FieldSpec {
  type: string;
  normalize?: string[];
  allowed?: string[];
}

const spec: Record<string, FieldSpec> = Object.fromEntries(
  Object.entries(EcsFlat as Record<string, { type: string; normalize?: string[]; allowed_values?: { name: string }[] }>).map(([name, f]) => [
    name,
    { type: f.type, normalize: f.normalize, allowed: f.allowed_values?.map((v) => v.name) },
  ]),
);

/** Elastic Defend's non-ECS fields that nightjar carries with Defend's meaning (docs/elastic-rules.md). */
const DEFEND_EXTENSIONS: Record<string, FieldSpec> = {
  'user.Ext.real.id': { type: 'keyword' },
  'group.Ext.real.id': { type: 'keyword' },
};

let fieldsFile: string | undefined;
/** The ECS field list as a file in the shape `nightjar rules check --ecs` reads ({ fields }). */
export function ecsFieldsFile(): string {
  if (fieldsFile) return fieldsFile;
  fieldsFile = `${mkdtempSync(`${tmpdir()}/nightjar-ecs-`)}/ecs-fields.json`;
  writeFileSync(fieldsFile, JSON.stringify({ fields: spec }));
  return fieldsFile;
}

function leaves(doc: unknown, prefix: string, out: [string, unknown][]): void {
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.push([prefix, doc]);
  }
}

function fits(type: string, v: unknown): boolean {
  switch (type) {
    case 'keyword': case 'constant_keyword': case 'wildcard': case 'match_only_text': case 'text':
      return typeof v === 'string';
    case 'long': case 'integer': case 'short': case 'byte':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float': case 'scaled_float': case 'double':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0;
    case 'date':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
    case 'flattened': case 'object': case 'nested':
      return true;
    default:
      return v !== undefined;
  }
}

export function ecsProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const all: [string, unknown][] = [];
  leaves(doc, '', all);
  for (const [path, value] of all) {
    if (path.startsWith('nightjar.')) continue;
    const f = spec[path] ?? DEFEND_EXTENSIONS[path];
    if (!f) {
      problems.push(`${path}: not an ECS field`);
      continue;
    }
    const isArray = Array.isArray(value);
    if (f.normalize?.includes('array') && !isArray) problems.push(`${path}: must be an array`);
    for (const v of isArray ? value : [value]) {
      if (!fits(f.type, v)) problems.push(`${path}: ${JSON.stringify(v)} is not a ${f.type}`);
      if (f.allowed && !f.allowed.includes(v as string)) problems.push(`${path}: ${JSON.stringify(v)} not allowed`);
    }
  }
  return problems;
}
