import {
  type ID3TrainingJob,
  type IdentityEncoderSpec,
  KIND_DATASET,
  KIND_TRAINING,
  PermanentInputError,
  type SyntheticDatasetJob,
} from '../api/index.ts';
import { resolveCheckpoint } from '../io/checkpoints/index.ts';
import { fileInStore, modelJsonUri } from '../io/models/index.ts';
import { type Env, openStore, StorageError, type Store } from '../io/storage/index.ts';
import { outputConflict } from '../io/tasks/index.ts';
import { workerJob } from '../workflow/index.ts';
import type { RunJob } from './jobs.ts';

/**
 * Checks that what a run reads exists before anything is written: the checkpoint a dataset job samples from, the
 * encoders it names, the training images. A wrong path then costs a clear message and no half-made output folder.
 * Inputs produced by an earlier job of the same run (a trainingJobRef's checkpoint, or a checkpointURI inside a
 * training job's output) are not checked. A storage error that may pass (throttling, a 5xx, a refused connection) is
 * thrown as it is, not reported as a missing input.
 */
export class PreflightError extends PermanentInputError {
  override name = 'PreflightError';
}

export async function preflight(runs: readonly RunJob[], env: Env): Promise<void> {
  const trainingOutputs = runs
    .filter((r) => r.job.kind === KIND_TRAINING)
    .map((r) => (r.job as ID3TrainingJob).spec.output.uri.replace(/\/+$/, ''));
  const producedInRun = (uri: string) => trainingOutputs.some((out) => uri === out || uri.startsWith(`${out}/`));
  for (const run of runs) {
    const problems = await problemsOf(run, env, producedInRun);
    if (problems.length)
      throw new PreflightError(`${run.job.kind}/${run.job.metadata.name} (${run.file}): ${problems.join('; ')}`);
  }
}

async function problemsOf(run: RunJob, env: Env, producedInRun: (uri: string) => boolean): Promise<string[]> {
  const { job } = run;
  const open = (uri: string) => openStore(uri, job.spec.storage, env);
  const checks: Promise<string | undefined>[] = [owner(run, open)];
  if (job.kind === KIND_DATASET) {
    const ds = job as SyntheticDatasetJob;
    const uri = ds.spec.model.checkpointURI;
    if (uri && !producedInRun(uri)) checks.push(checkpoint(uri, open));
    if (ds.spec.encoder) checks.push(modelFile('spec.encoder.uri', ds.spec.encoder, open));
    if (ds.spec.quality.encoder) checks.push(modelFile('spec.quality.encoder.uri', ds.spec.quality.encoder, open));
  } else {
    const tj = job as ID3TrainingJob;
    checks.push(modelFile('spec.encoder.uri', tj.spec.encoder, open), trainingImages(tj, open));
  }
  return (await Promise.all(checks)).filter((p): p is string => p !== undefined);
}

async function checkpoint(uri: string, open: (uri: string) => Store): Promise<string | undefined> {
  try {
    await resolveCheckpoint(uri, open);
    return undefined;
  } catch (err) {
    throwIfTransient(err);
    return `spec.model.checkpointURI ${uri}: ${(err as Error).message}`;
  }
}

/** The encoder's model file: its model.json, or the .onnx file itself. */
async function modelFile(
  field: string,
  spec: Pick<IdentityEncoderSpec, 'uri' | 'format'>,
  open: (uri: string) => Store,
): Promise<string | undefined> {
  const file = spec.format === 'onnx' ? spec.uri : modelJsonUri(spec.uri);
  const [store, key] = fileInStore(file, open);
  const found = await store.exists(key).catch((err: unknown) => {
    throwIfTransient(err);
    return false;
  });
  return found ? undefined : `${field}: no model at ${file}`;
}

async function trainingImages(job: ID3TrainingJob, open: (uri: string) => Store): Promise<string | undefined> {
  const uri = job.spec.dataset.uri;
  try {
    for await (const _ of open(uri).list('')) return undefined;
    return `spec.dataset.uri ${uri} is empty or does not exist`;
  } catch (err) {
    throwIfTransient(err);
    return `spec.dataset.uri ${uri}: ${(err as Error).message}`;
  }
}

/**
 * Another job's output, or files of no job, at this job's output.uri: what the workers would refuse, said before
 * anything runs. A dataset job whose model comes from a training job of this run cannot be fingerprinted yet; its
 * location must still hold nothing foreign.
 */
async function owner(run: RunJob, open: (uri: string) => Store): Promise<string | undefined> {
  const ds = run.job.kind === KIND_DATASET ? (run.job as SyntheticDatasetJob) : undefined;
  const unresolved = ds?.spec.model.trainingJobRef && !run.checkpointURI;
  return outputConflict(open(run.job.spec.output.uri), unresolved ? undefined : workerJob(run.job, run.checkpointURI));
}

function throwIfTransient(err: unknown): void {
  if (err instanceof StorageError && err.retryable) throw err;
}
