/**
 * Strategic merge patch for the built-in kinds (what `kubectl apply` and `kubectl patch` send for them): objects
 * merge, lists with a patchMergeKey merge item by item, primitive merge lists union, other lists are replaced; with
 * the directives `$patch` (replace, delete), `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
 * `$setElementOrder/<field>`.
 */
import { clone, isPlainObject, type Json, jsonEqual } from '../core/index.ts';
import { ANY, childOf, type SchemaNode } from '../schema/index.ts';

export class PatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PatchError';
  }
}

export function strategicMergePatch(schema: SchemaNode, original: Json, patch: unknown): Json {
  if (!isPlainObject(patch)) throw new PatchError('strategic merge patch must be a JSON object');
  return mergeObject(schema, original, patch);
}

function mergeObject(node: SchemaNode, original: unknown, patch: Json): Json {
  if (patch.$patch === 'replace') return stripDirectives(patch);
  if (patch.$patch === 'delete') return {};
  const result: Json = isPlainObject(original) ? clone(original) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete result[k];
      continue;
    }
    result[k] = mergeValue(childOf(node, k) ?? ANY, result[k], v);
  }
  applyPrimitiveDeletes(result, patch);
  applyElementOrder(node, result, patch);
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(result)) if (!keep.has(k)) delete result[k];
  }
  return result;
}

function mergeValue(node: SchemaNode, original: unknown, patch: unknown): unknown {
  if (node.type === 'list' && Array.isArray(patch)) return mergeList(node, original, patch);
  if (isPlainObject(patch)) {
    const atomic = (node.type === 'struct' || node.type === 'map') && node.atomic;
    if (atomic || node.type === 'scalar') return stripDirectives(patch);
    return mergeObject(node, original, patch);
  }
  return clone(patch);
}

function mergeList(node: Extract<SchemaNode, { type: 'list' }>, original: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(original) ? clone(original) : [];
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace')).map(stripDirectivesDeep);
  }
  if (node.mergeKey === '') return [...base, ...patch.filter((p) => !base.some((b) => jsonEqual(b, p)))];
  const key = node.mergeKey;
  if (!key) return patch.map(stripDirectivesDeep);
  for (const item of patch) {
    if (!isPlainObject(item)) throw new PatchError(`list items under merge key ${key} must be objects`);
    const at = base.findIndex((b) => isPlainObject(b) && jsonEqual(b[key], item[key]));
    if (item.$patch === 'delete') {
      if (at >= 0) base.splice(at, 1);
    } else if (at >= 0) base[at] = mergeObject(node.items, base[at], item);
    else base.push(mergeObject(node.items, {}, item));
  }
  return base;
}

function applyPrimitiveDeletes(result: Json, patch: Json): void {
  for (const [k, v] of Object.entries(patch)) {
    const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(k);
    if (!m || !Array.isArray(v) || !Array.isArray(result[m[1]!])) continue;
    result[m[1]!] = (result[m[1]!] as unknown[]).filter((x) => !v.some((d) => jsonEqual(d, x)));
  }
}

/** `$setElementOrder/<field>` lists the merge keys in the order the client wants; unlisted items keep their place. */
function applyElementOrder(node: SchemaNode, result: Json, patch: Json): void {
  for (const [k, order] of Object.entries(patch)) {
    const m = /^\$setElementOrder\/(.+)$/.exec(k);
    const list = m ? result[m[1]!] : undefined;
    if (!m || !Array.isArray(order) || !Array.isArray(list)) continue;
    const child = childOf(node, m[1]!);
    const key = child?.type === 'list' ? child.mergeKey : undefined;
    const rank = (item: unknown) => {
      const i = order.findIndex((o) =>
        key && isPlainObject(o) && isPlainObject(item) ? o[key] === item[key] : jsonEqual(o, item),
      );
      return i < 0 ? order.length : i;
    };
    result[m[1]!] = [...list].sort((a, b) => rank(a) - rank(b));
  }
}

function stripDirectives(o: Json): Json {
  return Object.fromEntries(
    Object.entries(o)
      .filter(([k]) => !k.startsWith('$'))
      .map(([k, v]) => [k, stripDirectivesDeep(v)]),
  );
}

function stripDirectivesDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectivesDeep);
  return isPlainObject(v) ? stripDirectives(v) : v;
}
