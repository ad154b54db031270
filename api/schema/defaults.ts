import type { JSONSchemaProps } from './types.ts';

/**
 * Structural defaulting as the API server does it: a property with a `default` that is absent (or null without
 * `nullable`) takes a copy of the default, and defaulting then continues inside it, so `default: {}` on an object
 * brings in its children's defaults. Returns a new value; the input is not modified.
 */
export function applyDefaults<T>(schema: JSONSchemaProps, value: T): T {
  const copy = structuredClone(value);
  defaultInPlace(schema, copy);
  return copy;
}

function defaultInPlace(schema: JSONSchemaProps, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) defaultInPlace(schema.items, item);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const missing = !(key in value) || (value[key] === null && !child.nullable);
    if (missing && child.default !== undefined) value[key] = structuredClone(child.default);
    if (key in value) defaultInPlace(child, value[key]);
  }
  const extra = schema.additionalProperties;
  if (typeof extra === 'object' && !schema.properties) {
    for (const child of Object.values(value)) defaultInPlace(extra, child);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
