// A strict check of Kubernetes manifests: the JSON schemas of the Kubernetes API (compiled by
// kubernetes-models: types, required fields, enums), plus a walk over the official client's
// generated models (@kubernetes/client-node attributeTypeMap) that rejects any field the API
// does not define, which the JSON schemas alone allow.

import * as k8s from '@kubernetes/client-node';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1';

const KINDS: Record<string, new (d: never) => { validate(): void }> = {
  'v1/Namespace': Namespace, 'v1/ServiceAccount': ServiceAccount, 'v1/ConfigMap': ConfigMap, 'v1/Secret': Secret, 'apps/v1/DaemonSet': DaemonSet,
};

type Model = { attributeTypeMap?: { baseName: string; type: string }[] };
const models = k8s as unknown as Record<string, Model | undefined>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every field under `value` that type does not define, or whose JSON type is wrong. */
export function strictProblems(value: unknown, type: string, path: string): string[] {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) return Array.isArray(value) ? value.flatMap((v, i) => strictProblems(v, arr[1]!, `${path}[${i}]`)) : [`${path}: expected a list`];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return isObject(value) ? Object.entries(value).flatMap(([k, v]) => strictProblems(v, map[1]!, `${path}.${k}`)) : [`${path}: expected a mapping`];
  switch (type) {
    case 'any':
      return [];
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${path}: expected a string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'IntOrString':
      return typeof value === 'string' || typeof value === 'number' ? [] : [`${path}: expected an int or a string`];
  }
  const attrs = models[type]?.attributeTypeMap;
  if (!attrs) return [`${path}: no model ${type} in the Kubernetes client`];
  if (!isObject(value)) return [`${path}: expected a ${type} mapping`];
  const byName = new Map(attrs.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const t = byName.get(k);
    return t === undefined ? [`${path}.${k}: unknown field (not in ${type})`] : strictProblems(v, t, `${path}.${k}`);
  });
}

/** JSON schema validation by the kubernetes-models class for apiVersion/kind. */
export function schemaProblems(doc: Record<string, unknown>): string[] {
  const Cls = KINDS[`${String(doc.apiVersion)}/${String(doc.kind)}`];
  if (!Cls) return [`${String(doc.apiVersion)} ${String(doc.kind)}: not a kind these manifests use`];
  try {
    new Cls(doc as never).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

export function manifestProblems(doc: Record<string, unknown>, where: string): string[] {
  const type = `${String(doc.apiVersion).split('/').pop()!.toUpperCase()[0]}${String(doc.apiVersion).split('/').pop()!.slice(1)}${String(doc.kind)}`;
  return [...schemaProblems(doc), ...strictProblems(doc, type, where)];
}
