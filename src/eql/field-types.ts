// What the engine knows of a field's type: enough for ip, version and date semantics and
// for the "unknown field" check. Unknown (undefined) behaves as keyword/long by value.

export type FieldType = 'keyword' | 'long' | 'double' | 'ip' | 'version' | 'date' | 'boolean' | 'other';

export interface FieldInfo {
  type: FieldType;
  /** a mapping's null_value: what a null or missing value is searched as */
  nullValue?: string;
}

export interface FieldCatalog {
  /** undefined: not mapped anywhere */
  lookup(path: string): FieldInfo | undefined;
}

/** Every field is known and typed by its runtime value (the default for ECS events). */
export const DYNAMIC_FIELDS: FieldCatalog = { lookup: () => ({ type: 'other' }) };
