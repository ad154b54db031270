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
