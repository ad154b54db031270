/**
 * Create, update, patch and server-side apply, with the API server's semantics: system fields set by the server,
 * the status subresource split, 409 on a stale resourceVersion, generation bumped by spec changes only, no-op
 * updates that write nothing, managedFields, and removal once the last finalizer of a deleted object goes.
 */
import { parse as parseYaml } from 'yaml';
import { clone, Errors, isPlainObject, type KubeObject, type ManagedFieldsEntry, timestamp } from '../core/index.ts';
import {
  jsonMergePatch,
  jsonPatch,
  PatchError,
  recordUpdate,
  serverSideApply,
  strategicMergePatch,
} from '../patch/index.ts';
import { apiVersionOf, groupResource, type ResourceType } from '../registry/index.ts';
import { decode, defaultAndNormalize, validate } from './admission.ts';
import type { Deps, WriteContext } from './context.ts';
import { newUid, randomSuffix, readyToRemove, sameObject, specChanged } from './objects.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const SYSTEM_META = [
  'uid',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
] as const;

function managerContext(d: Deps, t: ResourceType, ctx: WriteContext, subresource?: string) {
  return {
    schema: t.schema,
    manager: ctx.manager,
    apiVersion: apiVersionOf(t),
    subresource,
    statusSubresource: t.subresources.includes('status'),
    time: timestamp(d.clock.now()),
  };
}

export function checkNamespace(d: Deps, t: ResourceType, namespace: string, creating: boolean): void {
  if (!t.namespaced) return;
  const ns = d.store.get('/namespaces', '', namespace);
  if (!ns) throw Errors.notFound({ group: '', resource: 'namespaces' }, namespace);
  if (creating && ns.metadata.deletionTimestamp) {
    throw Errors.forbidden(
      groupResource(t),
      '',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
    );
  }
}

export function create(
  d: Deps,
  t: ResourceType,
  namespace: string,
  body: unknown,
  ctx: WriteContext,
  managedFields?: ManagedFieldsEntry[],
): KubeObject {
  const obj = prepareNew(t, namespace, body);
  checkNamespace(d, t, namespace, true);
  decode(t, obj, ctx);
  if (t.subresources.includes('status')) delete obj.status;
  if (!obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = uniqueName(d, t, namespace, obj.metadata.generateName);
  obj.metadata.uid = newUid();
  obj.metadata.creationTimestamp = timestamp(d.clock.now());
  if (t.generation) obj.metadata.generation = 1;
  t.strategy.prepareCreate?.(obj);
  const admitted = defaultAndNormalize(t, obj);
  validate(t, admitted, undefined);
  if (d.store.get(t.storage, namespace, admitted.metadata.name!))
    throw Errors.alreadyExists(groupResource(t), admitted.metadata.name!);
  admitted.metadata.managedFields = managedFields ?? recordUpdate([], undefined, admitted, managerContext(d, t, ctx));
  if (ctx.dryRun) return admitted;
  return d.store.create(t.storage, admitted);
}

function prepareNew(t: ResourceType, namespace: string, body: unknown): KubeObject {
  if (!isPlainObject(body) || !isPlainObject(body.metadata))
    throw Errors.badRequest("Object 'metadata' is missing or not an object");
  const obj = clone(body) as KubeObject;
  checkTypeMeta(t, obj);
  if (t.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace)
      throw Errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = namespace;
  } else delete obj.metadata.namespace;
  if (obj.metadata.resourceVersion)
    throw Errors.badRequest('resourceVersion should not be set on objects to be created');
  for (const k of SYSTEM_META) delete obj.metadata[k];
  obj.apiVersion = apiVersionOf(t);
  obj.kind = t.kind;
  return obj;
}

function checkTypeMeta(t: ResourceType, obj: KubeObject): void {
  if (obj.kind !== undefined && obj.kind !== t.kind)
    throw Errors.badRequest(
      `the kind of the provided object (${String(obj.kind)}) does not match the resource ${t.resource} (${t.kind})`,
    );
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(t))
    throw Errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(t)})`,
    );
}

function uniqueName(d: Deps, t: ResourceType, namespace: string, prefix: string): string {
  for (;;) {
    const name = `${prefix}${randomSuffix()}`;
    if (!d.store.get(t.storage, namespace, name)) return name;
  }
}

export function get(d: Deps, t: ResourceType, namespace: string, name: string): KubeObject {
  const obj = d.store.get(t.storage, namespace, name);
  if (!obj) throw Errors.notFound(groupResource(t), name);
  return obj;
}

/** PUT: the body replaces the object (its status or everything else, depending on the endpoint). */
export function update(
  d: Deps,
  t: ResourceType,
  namespace: string,
  name: string,
  body: unknown,
  ctx: WriteContext,
  subresource?: string,
): KubeObject {
  if (!isPlainObject(body) || !isPlainObject(body.metadata))
    throw Errors.badRequest("Object 'metadata' is missing or not an object");
  const candidate = clone(body) as KubeObject;
  if (candidate.metadata.name !== undefined && candidate.metadata.name !== name)
    throw Errors.badRequest(
      `the name of the object (${candidate.metadata.name}) does not match the name on the URL (${name})`,
    );
  checkTypeMeta(t, candidate);
  const old = get(d, t, namespace, name);
  const rv = candidate.metadata.resourceVersion;
  if (!rv && t.custom) {
    throw Errors.invalid(t.group, t.kind, name, [
      {
        field: 'metadata.resourceVersion',
        type: 'FieldValueInvalid',
        badValue: 0,
        detail: 'must be specified for an update',
      },
    ]);
  }
  if (rv && rv !== old.metadata.resourceVersion) throw Errors.staleResourceVersion(groupResource(t), name);
  return commit(d, t, old, candidate, ctx, subresource);
}

export function patch(
  d: Deps,
  t: ResourceType,
  namespace: string,
  name: string,
  type: PatchType,
  body: string,
  ctx: WriteContext,
  options: { subresource?: string; force?: boolean },
): KubeObject {
  if (type === 'apply') return apply(d, t, namespace, name, body, ctx, options);
  const old = get(d, t, namespace, name);
  const parsed = parseJson(body);
  let patched: KubeObject;
  try {
    if (type === 'json') patched = jsonPatch(old, parsed) as KubeObject;
    else if (type === 'merge') patched = jsonMergePatch(old, parsed) as KubeObject;
    else if (t.custom)
      throw Errors.unsupportedMediaType('application/strategic-merge-patch+json', [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]);
    else patched = strategicMergePatch(t.schema, old, parsed) as KubeObject;
  } catch (err) {
    if (err instanceof PatchError) throw Errors.invalidPatch(err);
    throw err;
  }
  if (!isPlainObject(patched.metadata)) throw Errors.badRequest('metadata must be an object');
  const rv = patched.metadata.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw Errors.staleResourceVersion(groupResource(t), name);
  patched.metadata.name = name;
  return commit(d, t, old, patched, ctx, options.subresource);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw Errors.badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function apply(
  d: Deps,
  t: ResourceType,
  namespace: string,
  name: string,
  body: string,
  ctx: WriteContext,
  options: { subresource?: string; force?: boolean },
): KubeObject {
  if (!ctx.explicitManager) throw Errors.badRequest('PATCH, fieldManager is required for apply requests');
  let config: unknown;
  try {
    config = parseYaml(body);
  } catch (err) {
    throw Errors.badRequest(`error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isPlainObject(config) || !isPlainObject(config.metadata))
    throw Errors.badRequest("Object 'metadata' is missing or not an object");
  const cfg = config as KubeObject;
  if (cfg.apiVersion !== apiVersionOf(t) || cfg.kind !== t.kind) {
    throw Errors.badRequest(
      `invalid object type: ${cfg.apiVersion ?? ''}, Kind=${cfg.kind ?? ''}; expected ${apiVersionOf(t)}, Kind=${t.kind}`,
    );
  }
  if (cfg.metadata.name !== name)
    throw Errors.badRequest(
      `the name of the object (${cfg.metadata.name ?? ''}) does not match the name on the URL (${name})`,
    );
  const mctx = managerContext(d, t, ctx, options.subresource);
  const live = d.store.get(t.storage, namespace, name);
  if (!live) {
    if (options.subresource) throw Errors.notFound(groupResource(t), name);
    const result = serverSideApply(undefined, cfg, [], mctx, options.force ?? false);
    return create(d, t, namespace, result.object, ctx, result.managedFields);
  }
  const rv = cfg.metadata.resourceVersion;
  if (rv && rv !== live.metadata.resourceVersion) throw Errors.staleResourceVersion(groupResource(t), name);
  const result = serverSideApply(live, cfg, live.metadata.managedFields ?? [], mctx, options.force ?? false);
  return commit(d, t, live, result.object, ctx, options.subresource, result.managedFields);
}

/**
 * Writes `candidate` over `old`: the endpoint decides which part counts, the server keeps system fields, admission
 * runs, and the object leaves the store when it was being deleted and its last finalizer is gone.
 */
export function commit(
  d: Deps,
  t: ResourceType,
  old: KubeObject,
  candidate: KubeObject,
  ctx: WriteContext,
  subresource?: string,
  managedFields?: ManagedFieldsEntry[],
): KubeObject {
  let next = scopeToEndpoint(t, old, candidate, subresource);
  next = decode(t, next, ctx);
  next = defaultAndNormalize(t, next);
  validate(t, next, old, subresource);
  if (t.generation && subresource !== 'status' && specChanged(old, next))
    next.metadata.generation = (old.metadata.generation ?? 1) + 1;
  next.metadata.managedFields =
    managedFields ?? recordUpdate(old.metadata.managedFields ?? [], old, next, managerContext(d, t, ctx, subresource));
  if (sameObject(old, next)) return old;
  if (ctx.dryRun) return next;
  if (readyToRemove(t, next))
    return d.store.remove(t.storage, old.metadata.namespace ?? '', old.metadata.name!) ?? next;
  return d.store.update(t.storage, next);
}

function scopeToEndpoint(t: ResourceType, old: KubeObject, candidate: KubeObject, subresource?: string): KubeObject {
  const hasStatus = t.subresources.includes('status');
  let next: KubeObject;
  if (subresource === 'status') {
    next = clone(old);
    if (candidate.status === undefined) delete next.status;
    else next.status = clone(candidate.status);
  } else if (subresource === 'finalize') {
    next = clone(old);
    next.spec = clone(candidate.spec);
  } else {
    next = clone(candidate);
    if (hasStatus) {
      if (old.status === undefined) delete next.status;
      else next.status = clone(old.status);
    }
  }
  next.apiVersion = apiVersionOf(t);
  next.kind = t.kind;
  next.metadata.name = old.metadata.name;
  if (t.namespaced) next.metadata.namespace = old.metadata.namespace;
  next.metadata.resourceVersion = old.metadata.resourceVersion;
  for (const k of SYSTEM_META) {
    if (old.metadata[k] === undefined) delete next.metadata[k];
    else (next.metadata as Record<string, unknown>)[k] = old.metadata[k];
  }
  return next;
}
