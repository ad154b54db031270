/**
 * managedFields bookkeeping and server-side apply (the structured-merge-diff rules, for what kubectl and an
 * operator do): an update gives its manager the fields it changed and takes them from the others; an apply merges
 * the configuration into the live object, removes fields the manager applied before and no longer applies (unless
 * someone else owns them), and refuses to change a field another manager owns unless forced.
 */
import { ApiError, clone, isPlainObject, type Json, type KubeObject, type ManagedFieldsEntry } from '../core/index.ts';
import { jsonEqual } from '../core/types.ts';
import { ANY, childOf, type SchemaNode } from '../schema/index.ts';
import {
  changedFields,
  describePath,
  difference,
  type FieldSet,
  fieldsOf,
  fromFieldsV1,
  removeAt,
  splitPath,
  toFieldsV1,
  union,
  valueAt,
} from './fieldset.ts';

export interface ManagerContext {
  schema: SchemaNode;
  manager: string;
  apiVersion: string;
  /** 'status' for writes through the status subresource. */
  subresource?: string;
  /** Whether the kind has a status subresource (then the main resource does not own status, and vice versa). */
  statusSubresource: boolean;
  time: string;
}

const SYSTEM_META = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/** The part of an object a write through this endpoint can own. */
function scoped(obj: unknown, ctx: ManagerContext): Json {
  if (!isPlainObject(obj)) return {};
  const copy = clone(obj);
  delete copy.apiVersion;
  delete copy.kind;
  if (isPlainObject(copy.metadata)) for (const k of SYSTEM_META) delete copy.metadata[k];
  if (ctx.subresource === 'status') return copy.status === undefined ? {} : { status: copy.status };
  if (ctx.statusSubresource) delete copy.status;
  return copy;
}

const sameSlot = (e: ManagedFieldsEntry, ctx: ManagerContext, op: 'Apply' | 'Update') =>
  e.manager === ctx.manager && e.operation === op && (e.subresource ?? '') === (ctx.subresource ?? '');

function entry(ctx: ManagerContext, op: 'Apply' | 'Update', set: FieldSet): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = {
    manager: ctx.manager,
    operation: op,
    apiVersion: ctx.apiVersion,
    time: ctx.time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(set),
  };
  if (ctx.subresource) e.subresource = ctx.subresource;
  return e;
}

/** managedFields after a create, update or non-apply patch by `ctx.manager`. */
export function recordUpdate(
  entries: readonly ManagedFieldsEntry[],
  before: KubeObject | undefined,
  after: KubeObject,
  ctx: ManagerContext,
): ManagedFieldsEntry[] {
  const { changed, removed } = changedFields(ctx.schema, scoped(before, ctx), scoped(after, ctx));
  if (changed.size === 0 && removed.size === 0) return [...entries];
  const out: ManagedFieldsEntry[] = [];
  let mine: FieldSet = changed;
  for (const e of entries) {
    const set = fromFieldsV1(e.fieldsV1);
    if (sameSlot(e, ctx, 'Update')) {
      mine = difference(union(set, changed), removed);
      continue;
    }
    const left = difference(difference(set, changed), removed);
    if (left.size > 0) out.push({ ...e, fieldsV1: toFieldsV1(left) });
  }
  if (mine.size > 0) out.push(entry(ctx, 'Update', mine));
  return out;
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/** Server-side apply of `config` onto `live` (undefined when the object does not exist yet). */
export function serverSideApply(
  live: KubeObject | undefined,
  config: KubeObject,
  entries: readonly ManagedFieldsEntry[],
  ctx: ManagerContext,
  force: boolean,
): ApplyResult {
  const applied = fieldsOf(ctx.schema, scoped(config, ctx));
  const others = entries.filter((e) => e.manager !== ctx.manager);
  const conflicts = findConflicts(applied, live, config, others);
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  const taken = new Set(conflicts.map((c) => c.path));
  const previous = entries.find((e) => sameSlot(e, ctx, 'Apply'));
  const merged = mergeApplied(ctx.schema, live ?? {}, config) as KubeObject;
  const stillOwned = others.reduce<FieldSet>((acc, e) => union(acc, fromFieldsV1(e.fieldsV1)), new Set());
  const dropped = previous ? difference(fromFieldsV1(previous.fieldsV1), applied) : new Set<string>();
  for (const p of [...dropped].sort((a, b) => b.length - a.length)) {
    if (!stillOwned.has(p) || taken.has(p)) removeAt(merged, splitPath(p));
  }
  const managedFields: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (sameSlot(e, ctx, 'Apply')) continue;
    const set = difference(fromFieldsV1(e.fieldsV1), taken);
    if (set.size > 0) managedFields.push({ ...e, fieldsV1: toFieldsV1(set) });
  }
  managedFields.push(entry(ctx, 'Apply', applied));
  return { object: merged, managedFields };
}

interface Conflict {
  path: string;
  manager: string;
  apiVersion: string;
  subresource?: string;
}

function findConflicts(
  applied: FieldSet,
  live: KubeObject | undefined,
  config: KubeObject,
  others: readonly ManagedFieldsEntry[],
): Conflict[] {
  if (!live) return [];
  const out: Conflict[] = [];
  const owned = others.map((e) => ({ e, set: fromFieldsV1(e.fieldsV1) }));
  for (const p of applied) {
    const path = splitPath(p);
    const now = valueAt(live, path);
    if (now === undefined || jsonEqual(now, valueAt(config, path))) continue;
    for (const { e, set } of owned) {
      if (set.has(p)) out.push({ path: p, manager: e.manager, apiVersion: e.apiVersion, subresource: e.subresource });
    }
  }
  return out;
}

/** In structured-merge-diff's words: one conflict on one line, several grouped by manager. */
function conflictError(conflicts: Conflict[]): ApiError {
  const who = (c: Conflict) =>
    `"${c.manager}"${c.subresource ? ` with subresource "${c.subresource}"` : ''} using ${c.apiVersion}`;
  const n = conflicts.length;
  let text: string;
  if (n === 1) text = `conflict with ${who(conflicts[0]!)}: ${describePath(conflicts[0]!.path)}`;
  else {
    const groups = new Map<string, string[]>();
    for (const c of conflicts) groups.set(who(c), [...(groups.get(who(c)) ?? []), describePath(c.path)]);
    text = [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([manager, paths]) => [`conflicts with ${manager}:`, ...paths.map((p) => `- ${p}`)].join('\n'))
      .join('\n');
  }
  return new ApiError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${text}`, {
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${who(c)}`,
      field: describePath(c.path),
    })),
  });
}

/** The live object with the configuration merged in: list maps by key, sets by value, the rest replaced. */
function mergeApplied(node: SchemaNode, live: unknown, config: unknown): unknown {
  if (node.type === 'list' && Array.isArray(config) && node.listType !== 'atomic') {
    const result = Array.isArray(live) ? clone(live) : [];
    for (const item of config) {
      const at = result.findIndex((x) =>
        node.listType === 'set'
          ? jsonEqual(x, item)
          : node.keys.every((k) => isPlainObject(x) && isPlainObject(item) && jsonEqual(x[k], item[k])),
      );
      if (at < 0) result.push(clone(item));
      else if (node.listType === 'map') result[at] = mergeApplied(node.items, result[at], item);
    }
    return result;
  }
  const granular = node.type === 'any' || ((node.type === 'struct' || node.type === 'map') && !node.atomic);
  if (granular && isPlainObject(config)) {
    const result: Json = isPlainObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete result[k];
      else result[k] = mergeApplied(childOf(node, k) ?? ANY, result[k], v);
    }
    return result;
  }
  return clone(config);
}
