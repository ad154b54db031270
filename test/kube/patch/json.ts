/** JSON patch (RFC 6902) and JSON merge patch (RFC 7386), through well-kept libraries. */
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import mergePatch from 'json-merge-patch';
import { clone, isPlainObject, type Json } from '../core/index.ts';
import { PatchError } from './strategic.ts';

export function jsonPatch(original: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new PatchError('json patch must be a JSON array of operations');
  try {
    const result = fastJsonPatch.applyPatch(clone(original), patch as Operation[], true, false);
    return result.newDocument;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new PatchError(message ?? 'invalid json patch', { cause: err });
  }
}

export function jsonMergePatch(original: Json, patch: unknown): Json {
  if (!isPlainObject(patch)) throw new PatchError('merge patch must be a JSON object');
  const result = mergePatch.apply(clone(original), patch) as unknown;
  if (!isPlainObject(result)) throw new PatchError('merge patch did not produce an object');
  return result;
}
