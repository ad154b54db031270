import { type ID3TrainingJob, type Id3Job, KIND_DATASET, type SyntheticDatasetJob } from '../api/index.ts';

/**
 * How a stage's work is split into tasks. Generate tasks own whole tar files (tar k holds identities
 * [k·P, (k+1)·P), P = output.identitiesPerTar), so a dataset's bytes never depend on the number of tasks; contiguous
 * ranges keep each task's reads and writes local.
 */

/** [start, end) */
export type Range = readonly [start: number, end: number];

/** Part `index` of `parts` near-equal contiguous parts of [0, count). */
export function contiguousRange(count: number, parts: number, index: number): Range {
  if (parts < 1 || index < 0 || index >= parts) throw new RangeError(`part ${index} of ${parts} does not exist`);
  return [Math.floor((index * count) / parts), Math.floor(((index + 1) * count) / parts)];
}

export function tarCount(job: SyntheticDatasetJob): number {
  return Math.ceil(job.spec.identities / job.spec.output.identitiesPerTar);
}

/** Identities of tar k. */
export function identitiesOfTar(job: SyntheticDatasetJob, tar: number): Range {
  const p = job.spec.output.identitiesPerTar;
  return [tar * p, Math.min(job.spec.identities, (tar + 1) * p)];
}

/** Tars of generate task `task`. */
export function tarsOfTask(job: SyntheticDatasetJob, task: number): Range {
  return contiguousRange(tarCount(job), job.spec.sharding.shards, task);
}

/** Identities of generate task `task`. */
export function identitiesOfTask(job: SyntheticDatasetJob, task: number): Range {
  const [first, end] = tarsOfTask(job, task);
  return [identitiesOfTar(job, first)[0], identitiesOfTar(job, end - 1)[1]];
}

/** Tasks of a job's sharded stage (generate or prepare). */
export function tasksOf(job: Id3Job): number {
  return job.kind === KIND_DATASET ? job.spec.sharding.shards : (job as ID3TrainingJob).spec.prepare.shards;
}
