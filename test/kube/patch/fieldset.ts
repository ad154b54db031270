/**
 * Field sets as server-side apply tracks them in managedFields (fieldsV1): paths of elements `f:<field>`,
 * `k:{"name":"x"}` (an item of a list map), `v:<json>` (an item of a set) and `i:<n>`; a path that is owned and
 * also has owned children carries `.`. Sets are kept flat (one string per path) for set algebra and converted to and
 * from the fieldsV1 tree at the edges.
 */
import { isPlainObject, type Json, jsonEqual } from '../core/index.ts';
import { ANY, childOf, type SchemaNode } from '../schema/index.ts';

export type FieldSet = Set<string>;
const SEP = '\u0000';

export function joinElements(elements: readonly string[]): string {
  return elements.join(SEP);
}

export function splitPath(path: string): string[] {
  return path === '' ? [] : path.split(SEP);
}

/** Paths of an object's fields, as server-side apply owns them (leaves, list-map items, set items). */
export function fieldsOf(node: SchemaNode, value: unknown): FieldSet {
  const out: FieldSet = new Set();
  collect(node, value, [], out);
  return out;
}

function collect(node: SchemaNode, value: unknown, at: string[], out: FieldSet): void {
  if (node.type === 'list' && Array.isArray(value) && node.listType !== 'atomic') {
    for (const item of value) {
      const el = itemElement(node, item);
      out.add(joinElements([...at, el]));
      if (node.listType === 'map') collectObject(node.items, item, [...at, el], out);
    }
    if (value.length === 0 && at.length > 0) out.add(joinElements(at));
    return;
  }
  const granular = (node.type === 'struct' || node.type === 'map' || node.type === 'any') && !isAtomic(node);
  if (granular && isPlainObject(value)) {
    // An empty granular object owns nothing: its fields are what managers own.
    collectObject(node, value, at, out);
    return;
  }
  if (at.length > 0) out.add(joinElements(at));
}

function collectObject(node: SchemaNode, value: unknown, at: string[], out: FieldSet): void {
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    collect(childOf(node, k) ?? ANY, v, [...at, `f:${k}`], out);
  }
}

function isAtomic(node: SchemaNode): boolean {
  return (node.type === 'struct' || node.type === 'map') && node.atomic;
}

function itemElement(node: Extract<SchemaNode, { type: 'list' }>, item: unknown): string {
  if (node.listType === 'set') return `v:${JSON.stringify(item)}`;
  const key: Json = {};
  for (const k of [...node.keys].sort()) if (isPlainObject(item) && item[k] !== undefined) key[k] = item[k];
  return `k:${JSON.stringify(key)}`;
}

/** The value at a path, or undefined when the path does not exist in the object. */
export function valueAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const el of path) {
    node = step(node, el);
    if (node === undefined) return undefined;
  }
  return node;
}

function step(node: unknown, el: string): unknown {
  if (el.startsWith('f:')) return isPlainObject(node) ? node[el.slice(2)] : undefined;
  if (!Array.isArray(node)) return undefined;
  if (el.startsWith('i:')) return node[Number(el.slice(2))];
  const want = JSON.parse(el.slice(2)) as unknown;
  if (el.startsWith('v:')) return node.find((x) => jsonEqual(x, want));
  return node.find((x) => isPlainObject(x) && Object.entries(want as Json).every(([k, v]) => jsonEqual(x[k], v)));
}

/** Removes the value at a path in place (a field, a list-map item or a set item); a missing path is ignored. */
export function removeAt(value: unknown, path: readonly string[]): void {
  if (path.length === 0) return;
  const parent = valueAt(value, path.slice(0, -1));
  const last = path.at(-1)!;
  if (last.startsWith('f:')) {
    if (isPlainObject(parent)) delete parent[last.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const target = step(parent, last);
  const i = parent.indexOf(target);
  if (i >= 0) parent.splice(i, 1);
}

/** fieldsV1 tree → flat set. */
export function fromFieldsV1(tree: unknown, at: string[] = [], out: FieldSet = new Set()): FieldSet {
  if (!isPlainObject(tree)) return out;
  const keys = Object.keys(tree);
  if (keys.length === 0 && at.length > 0) out.add(joinElements(at));
  for (const k of keys) {
    if (k === '.') out.add(joinElements(at));
    else fromFieldsV1(tree[k], [...at, k], out);
  }
  return out;
}

/** Flat set → fieldsV1 tree. */
export function toFieldsV1(set: FieldSet): Json {
  const root: Json = {};
  const paths = [...set].map(splitPath);
  const owned = new Set(set);
  for (const p of paths) {
    let node = root;
    for (const el of p) {
      node[el] ??= {};
      node = node[el] as Json;
    }
  }
  for (const p of paths) {
    const node = valueAt(root, []) as Json;
    let n = node;
    for (const el of p) n = n[el] as Json;
    if (Object.keys(n).length > 0 && owned.has(joinElements(p))) n['.'] = {};
  }
  return root;
}

export function union(a: FieldSet, b: Iterable<string>): FieldSet {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return new Set([...a].filter((x) => !b.has(x)));
}

/** Paths whose value differs between two objects, or exists in only one of them. */
export function changedFields(
  node: SchemaNode,
  before: unknown,
  after: unknown,
): { changed: FieldSet; removed: FieldSet } {
  const was = fieldsOf(node, before);
  const now = fieldsOf(node, after);
  const changed = new Set(
    [...now].filter((p) => !was.has(p) || !jsonEqual(valueAt(before, splitPath(p)), valueAt(after, splitPath(p)))),
  );
  return { changed, removed: difference(was, now) };
}

/** A path for messages, as server-side apply prints it: `.spec.containers[name="main"].image`. */
export function describePath(path: string): string {
  return splitPath(path)
    .map((el) => {
      if (el.startsWith('f:')) return `.${el.slice(2)}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(el.slice(2)) as Json;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      if (el.startsWith('v:')) return `[=${el.slice(2)}]`;
      return `[${el.slice(2)}]`;
    })
    .join('');
}
