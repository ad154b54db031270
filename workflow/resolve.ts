import { type Id3Job, KIND_DATASET, type SyntheticDatasetJob } from '../api/index.ts';

/**
 * The job as a worker sees it: self-contained and stripped to what the worker needs. A dataset job's trainingJobRef
 * becomes the checkpoint it resolved to (fixed once, so retries use the same weights); status and server-managed
 * metadata are dropped, so the same job always yields the same worker input.
 */
export function workerJob(job: Id3Job, resolvedCheckpointURI?: string): Id3Job {
  const { name, namespace, uid, generation } = job.metadata;
  const metadata = {
    name,
    ...(namespace ? { namespace } : {}),
    ...(uid ? { uid } : {}),
    ...(generation ? { generation } : {}),
  };
  const spec = structuredClone(job.spec);
  if (job.kind === KIND_DATASET && (spec as SyntheticDatasetJob['spec']).model.trainingJobRef) {
    if (!resolvedCheckpointURI)
      throw new Error(`${job.metadata.name}: trainingJobRef is not resolved to a checkpoint yet`);
    const model = (spec as SyntheticDatasetJob['spec']).model;
    delete model.trainingJobRef;
    model.checkpointURI = resolvedCheckpointURI;
  }
  return { apiVersion: job.apiVersion, kind: job.kind, metadata, spec } as Id3Job;
}

/** The job's URI fields, as paths into the spec (both kinds; absent ones are skipped). */
const URI_FIELDS = [
  ['output', 'uri'],
  ['model', 'checkpointURI'],
  ['encoder', 'uri'],
  ['quality', 'encoder', 'uri'],
  ['dataset', 'uri'],
  ['dataset', 'attributes', 'uri'],
] as const;

/**
 * Relative local paths in a job file resolve against the file's folder (as in docker compose), so a job runs the
 * same from any working directory. s3:// URIs, file:// URIs and absolute paths are left alone. Returns a copy.
 */
export function resolveJobPaths<T extends Id3Job>(job: T, baseDir: string, join: (a: string, b: string) => string): T {
  const out = structuredClone(job);
  for (const path of URI_FIELDS) {
    let node = out.spec as unknown as Record<string, unknown> | undefined;
    for (const key of path.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    const last = path.at(-1) as string;
    const value = node?.[last];
    if (node && typeof value === 'string' && isRelativePath(value)) node[last] = join(baseDir, value);
  }
  return out;
}

export function isRelativePath(uri: string): boolean {
  return !uri.includes('://') && !uri.startsWith('/');
}
