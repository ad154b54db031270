import { createHash } from 'node:crypto';
import { FIELD_CLASSES } from './defining-fields.ts';
import { type Id3Job, isJobKind } from './kinds.ts';

/**
 * A job's fingerprint: the values of the fields that define its output (api/defining-fields.ts, the one declared
 * list). A job records it beside its output, and a job whose fingerprint differs (an edited manifest run again
 * locally, a job deleted and re-created with another spec on the same output.uri) is refused instead of mixing its
 * work with the old job's or reporting that job's output as its own.
 */
export interface Fingerprint {
  /** Defining field → its value, by dotted path under spec. */
  fields: Record<string, unknown>;
  sha256: string;
}

/** Dotted paths under spec of the fields that define a kind's output (a whole object when the object does). */
export function definingPaths(kind: string): string[] {
  if (!isJobKind(kind)) throw new Error(`no defining fields for ${kind}`);
  return [...FIELD_CLASSES[kind].defining];
}

export function fingerprintOf(job: Id3Job): Fingerprint {
  const fields: Record<string, unknown> = {};
  for (const path of definingPaths(job.kind)) {
    let v: unknown = job.spec;
    for (const part of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    if (v !== undefined) fields[path] = v;
  }
  return { fields, sha256: createHash('sha256').update(canonicalJson(fields)!).digest('hex') };
}

/** The defining fields that differ between two fingerprints, each with both values, for a message. */
export function fingerprintDifferences(ours: Fingerprint, theirs: Fingerprint): string[] {
  const paths = [...new Set([...Object.keys(ours.fields), ...Object.keys(theirs.fields)])].sort();
  return paths
    .filter((p) => canonicalJson(ours.fields[p]) !== canonicalJson(theirs.fields[p]))
    .map(
      (p) =>
        `spec.${p}: ${canonicalJson(ours.fields[p]) ?? 'unset'} here, ${canonicalJson(theirs.fields[p]) ?? 'unset'} there`,
    );
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
function canonicalJson(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x) ?? 'null').join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
