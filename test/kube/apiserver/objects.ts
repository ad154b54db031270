/** Small helpers over stored objects: names, keys, finalizers, and what counts as a change of spec. */
import { randomUUID } from 'node:crypto';
import { clone, isPlainObject, jsonEqual, type KubeObject } from '../core/index.ts';
import type { ResourceType } from '../registry/index.ts';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The random suffix generateName adds (5 characters, as the API server's SimpleNameGenerator). */
export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** Everything but metadata and status: a change here bumps metadata.generation. */
export function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return !jsonEqual(specPart(a), specPart(b));
}

/** Equal apart from resourceVersion and managedFields timestamps: such an update is a no-op and writes nothing. */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const c = clone(o);
    delete c.metadata.resourceVersion;
    for (const e of c.metadata.managedFields ?? []) delete e.time;
    return c;
  };
  return jsonEqual(strip(a), strip(b));
}

/** Finalizers that hold an object with a deletionTimestamp (a namespace's spec.finalizers too). */
export function pendingFinalizers(t: ResourceType, obj: KubeObject): string[] {
  const own = obj.metadata.finalizers ?? [];
  if (t.resource !== 'namespaces' || t.group !== '') return own;
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  return [...own, ...((spec.finalizers as string[] | undefined) ?? [])];
}

/** Whether a deleted object can now leave the store. */
export function readyToRemove(t: ResourceType, obj: KubeObject): boolean {
  return (
    obj.metadata.deletionTimestamp !== undefined &&
    pendingFinalizers(t, obj).length === 0 &&
    (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0
  );
}
