/**
 * Reading objects against a schema: fields the schema does not declare (strict field validation reports them, the
 * default mode prunes them with a warning) and values of the wrong JSON type (the API server's decoder refuses them).
 */
import { isPlainObject } from '../core/types.ts';
import { childOf, type SchemaNode } from './node.ts';

/** Paths (`spec.foo`, `spec.containers[0].bar`) of fields the schema does not declare. */
export function unknownFields(node: SchemaNode, value: unknown, path = ''): string[] {
  if (node.type === 'any' || value === null || value === undefined) return [];
  if (node.type === 'list' && Array.isArray(value)) {
    return value.flatMap((item, i) => unknownFields(node.items, item, `${path}[${i}]`));
  }
  if (!isPlainObject(value)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const child = childOf(node, k);
    const at = node.type === 'map' ? `${path}[${JSON.stringify(k)}]` : path ? `${path}.${k}` : k;
    if (!child) out.push(at);
    else out.push(...unknownFields(child, v, at));
  }
  return out;
}

/** Removes undeclared fields in place, as the API server prunes custom resources and built-ins decode. */
export function prune(node: SchemaNode, value: unknown): void {
  if (node.type === 'any' || value === null || value === undefined) return;
  if (node.type === 'list' && Array.isArray(value)) {
    for (const item of value) prune(node.items, item);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const k of Object.keys(value)) {
    const child = childOf(node, k);
    if (!child) delete value[k];
    else prune(child, value[k]);
  }
}

export interface TypeMismatch {
  path: string;
  expected: string;
  got: string;
}

/** Values whose JSON type the schema rules out (null is allowed anywhere: it means "unset" to the decoder). */
export function typeMismatches(node: SchemaNode, value: unknown, path = ''): TypeMismatch[] {
  if (value === null || value === undefined || node.type === 'any') return [];
  const got = Array.isArray(value) ? 'array' : typeof value;
  const bad = (expected: string) => [{ path: path || '<root>', expected, got }];
  if (node.type === 'scalar') return scalarOk(node.scalar, value) ? [] : bad(node.scalar);
  if (node.type === 'list') {
    if (!Array.isArray(value)) return bad('array');
    return value.flatMap((item, i) => typeMismatches(node.items, item, `${path}[${i}]`));
  }
  if (!isPlainObject(value)) return bad('object');
  return Object.entries(value).flatMap(([k, v]) => {
    const child = childOf(node, k);
    const at = node.type === 'map' ? `${path}[${JSON.stringify(k)}]` : path ? `${path}.${k}` : k;
    return child ? typeMismatches(child, v, at) : [];
  });
}

function scalarOk(scalar: string, v: unknown): boolean {
  switch (scalar) {
    case 'string':
    case 'date':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return typeof v === 'string' || typeof v === 'number';
  }
}
