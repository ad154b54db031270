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

/** Tar files of a dataset: tar k holds identities [k·P, (k+1)·P), the last one possibly fewer. */
export function tarCount(identities: number, identitiesPerTar: number): number {
  return Math.ceil(identities / identitiesPerTar);
}

/** The identities of tar k. */
export function tarIdentities(tar: number, identitiesPerTar: number, identities: number): [number, number] {
  const first = tar * identitiesPerTar;
  return [first, Math.min(first + identitiesPerTar, identities)];
}

/** Tars of a job's generate task: contiguous and as even as possible. */
export function tarsOfTask(job: SyntheticDatasetJob, task: number): Range {
  const { identities, output, sharding } = job.spec;
  return contiguousRange(tarCount(identities, output.identitiesPerTar), sharding.shards, task);
}

/** Identities of a job's generate task. */
export function identitiesOfTask(job: SyntheticDatasetJob, task: number): Range {
  const { identities, output } = job.spec;
  const [first, end] = tarsOfTask(job, task);
  return [
    tarIdentities(first, output.identitiesPerTar, identities)[0],
    tarIdentities(end - 1, output.identitiesPerTar, identities)[1],
  ];
}

/** Tasks of a job's sharded stage (generate or prepare). */
export function tasksOf(job: Id3Job): number {
  return job.kind === KIND_DATASET ? job.spec.sharding.shards : (job as ID3TrainingJob).spec.prepare.shards;
}
