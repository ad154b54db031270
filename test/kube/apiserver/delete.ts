/**
 * DELETE: preconditions, propagation policy (Orphan and Foreground become the `orphan` and `foregroundDeletion`
 * finalizers the garbage collector honours), graceful deletion of running pods (deletionTimestamp in the future,
 * the kubelet finishes it), and immediate removal when nothing holds the object.
 */
import { clone, Errors, isPlainObject, type Json, jsonEqual, type KubeObject, timestamp } from '../core/index.ts';
import { groupResource, type ResourceType } from '../registry/index.ts';
import type { Deps, WriteContext } from './context.ts';
import { pendingFinalizers } from './objects.ts';
import { get } from './writes.ts';

export type Propagation = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: Propagation;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

const JOB_ORPHAN_WARNING =
  'child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning';

export function parseDeleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const o: DeleteOptions = isPlainObject(body) ? (clone(body) as DeleteOptions) : {};
  const grace = query.get('gracePeriodSeconds');
  if (grace !== null) o.gracePeriodSeconds = Number(grace);
  const policy = query.get('propagationPolicy');
  if (policy) o.propagationPolicy = policy as Propagation;
  const orphan = query.get('orphanDependents');
  if (orphan !== null) o.orphanDependents = orphan === 'true';
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    throw Errors.badRequest(`propagationPolicy: Unsupported value: "${o.propagationPolicy}"`);
  }
  return o;
}

function propagationOf(t: ResourceType, o: DeleteOptions, ctx: WriteContext): Propagation {
  if (o.propagationPolicy) return o.propagationPolicy;
  if (o.orphanDependents !== undefined) return o.orphanDependents ? 'Orphan' : 'Background';
  if (t.group === 'batch' && t.resource === 'jobs') ctx.warnings.push(JOB_ORPHAN_WARNING);
  return t.defaultPropagation;
}

/** Seconds a pod gets to stop: running pods on a node get their grace period, others go at once. */
function gracePeriod(t: ResourceType, obj: KubeObject, o: DeleteOptions): number {
  if (t.group !== '' || t.resource !== 'pods') return 0;
  const spec = (obj.spec ?? {}) as Json;
  const phase = (obj.status as Json | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  return Math.max(0, o.gracePeriodSeconds ?? (spec.terminationGracePeriodSeconds as number | undefined) ?? 30);
}

export function remove(
  d: Deps,
  t: ResourceType,
  namespace: string,
  name: string,
  o: DeleteOptions,
  ctx: WriteContext,
): KubeObject {
  const obj = get(d, t, namespace, name);
  checkPreconditions(t, obj, o);
  const propagation = propagationOf(t, o, ctx);
  if (ctx.dryRun) return obj;
  const next = clone(obj);
  const finalizers = new Set(next.metadata.finalizers ?? []);
  if (propagation === 'Orphan') finalizers.add(FINALIZER_ORPHAN);
  if (propagation === 'Foreground') finalizers.add(FINALIZER_FOREGROUND);
  if (propagation === 'Background') {
    finalizers.delete(FINALIZER_ORPHAN);
    finalizers.delete(FINALIZER_FOREGROUND);
  }
  next.metadata.finalizers = [...finalizers];
  if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
  const grace = gracePeriod(t, obj, o);
  const deleting = obj.metadata.deletionTimestamp !== undefined;
  const previousGrace = obj.metadata.deletionGracePeriodSeconds ?? 0;
  const effectiveGrace = deleting ? Math.min(previousGrace, grace) : grace;
  if (!deleting || effectiveGrace < previousGrace) {
    next.metadata.deletionTimestamp = timestamp(new Date(d.clock.now().getTime() + effectiveGrace * 1000));
    next.metadata.deletionGracePeriodSeconds = effectiveGrace;
    if (!deleting && next.metadata.generation !== undefined) next.metadata.generation++;
  }
  if (t.resource === 'namespaces' && t.group === '')
    next.status = { ...((next.status as Json) ?? {}), phase: 'Terminating' };
  if (pendingFinalizers(t, next).length === 0 && effectiveGrace === 0) {
    return d.store.remove(t.storage, namespace, name, next) ?? obj;
  }
  if (jsonEqual(next, obj)) return obj;
  return d.store.update(t.storage, next);
}

function checkPreconditions(t: ResourceType, obj: KubeObject, o: DeleteOptions): void {
  const p = o.preconditions;
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw Errors.conflict(
      groupResource(t),
      obj.metadata.name!,
      `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`,
    );
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw Errors.conflict(
      groupResource(t),
      obj.metadata.name!,
      `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
    );
  }
}
