import { posix } from 'node:path';
import type { IdentityEncoderSpec } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { CheckpointError, checkpointFolder, resolveCheckpoint } from '../../io/checkpoints/index.ts';
import { storeModelFiles } from '../../io/models/index.ts';
import { datasetKeys } from '../../io/output/index.ts';
import {
  isPermanentStorageError,
  ObjectNotFoundError,
  readJsonIfExists,
  StorageError,
} from '../../io/storage/index.ts';
import { TaskMarkers } from '../../io/tasks/index.ts';
import { isRelativePath } from '../../workflow/index.ts';
import { type LoadedCheckpoint, type SamplerModel, samplerModelFromCheckpoint } from '../diffusion/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { EncoderLoadError, loadEncoder } from '../encoder/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import { type ComputeInfo, computeInfo, selectBackend } from '../tf/index.ts';

/**
 * What several stages share: choosing the compute backend, reading model files through the storage layer, loading
 * encoders and checkpoints with errors that say which input is wrong (exit 65), and the task markers.
 */

export async function useBackend(ctx: TaskContext): Promise<ComputeInfo> {
  const choice = await selectBackend({ env: ctx.env });
  const compute = computeInfo(choice);
  ctx.logger.info(
    { ...compute, skipped: choice.skipped.map((s) => `${s.name}: ${s.reason}`) },
    'compute backend chosen',
  );
  ctx.metrics.taskInfo.set({ backend: compute.backend, device: compute.device }, 1);
  return compute;
}

/** Loads an identity encoder; a missing or malformed model is bad input. */
export async function loadEncoderFrom(ctx: TaskContext, spec: IdentityEncoderSpec): Promise<IdentityEncoder> {
  try {
    return await loadEncoder(spec, storeModelFiles(ctx.open));
  } catch (err) {
    if (err instanceof EncoderLoadError || err instanceof ObjectNotFoundError) {
      throw new PermanentInputError(`encoder ${spec.uri}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

export interface SamplingModel extends LoadedCheckpoint {
  /** Denoiser (the chosen weights) and schedule; add the guiding encoder to sample with identity guidance. */
  sampler: Omit<SamplerModel, 'encoder'>;
  /** Full URI of the checkpoint folder used. */
  uri: string;
  step: number;
}

/** The checkpoint a dataset job names, with the weights it samples with; bad or missing checkpoints are bad input. */
export async function loadSamplingModel(ctx: TaskContext, uri: string, weights: 'ema' | 'raw'): Promise<SamplingModel> {
  return asBadInput(uri, async () => {
    const { checkpoints, step } = await resolveCheckpoint(uri, ctx.open);
    const ref = await checkpoints.committedRef(step);
    const built = samplerModelFromCheckpoint(await checkpoints.load(step), weights);
    return {
      ...built.checkpoint,
      sampler: { denoiser: built.denoiser, schedule: built.schedule },
      uri: ref?.uri ?? uri,
      step,
    };
  });
}

/**
 * The checkpoint the plan stage chose, for the stages after it. A spec may name a checkpoints folder or a training
 * output, whose `latest` moves while its trainer runs or when it continues; resolving it again in every task would
 * make one dataset from two models. The plan records the step folder it resolved (plan/plan.json) and later tasks
 * load exactly that one.
 */
export async function loadPlannedModel(
  ctx: TaskContext,
  weights: 'ema' | 'raw',
): Promise<SamplingModel & { renewHold: () => Promise<void> }> {
  const { uri, step, held = true } = await plannedCheckpoint(ctx);
  // Hold again before reading: a lease that lapsed while the job was suspended or queued is taken back, or the
  // read below finds the step gone and says so. Nothing to renew where the plan could not hold (read-only store).
  const renewHold = held ? holdRenewer(ctx, uri, step) : async () => {};
  await renewHold();
  try {
    return { ...(await loadSamplingModel(ctx, uri, weights)), renewHold };
  } catch (err) {
    if (!(err instanceof PermanentInputError)) throw err;
    throw new PermanentInputError(
      `the plan of this dataset chose step ${step} of the model, ${uri}, which can no longer be read (${err.message}); ` +
        "a training job's keepCheckpoints may have pruned it: run the job again on a new output.uri to plan with a current checkpoint",
      { cause: err },
    );
  }
}

/** plan/plan.json's `checkpoint`: the step folder the plan fixed, and whether it holds it (false: read-only store). */
export interface PlannedCheckpoint {
  uri: string;
  step: number;
  held?: boolean;
}

async function plannedCheckpoint(ctx: TaskContext): Promise<PlannedCheckpoint> {
  const plan = await readJsonIfExists<{ checkpoint?: PlannedCheckpoint }>(ctx.store, datasetKeys.planSummary);
  if (!plan?.checkpoint) throw new Error(`${datasetKeys.planSummary} names no checkpoint; the plan stage runs first`);
  return plan.checkpoint;
}

/**
 * The plan's choice of checkpoint: resolves the spec's URI and holds the step it finds in its checkpoint store
 * (`holds/`, the dataset's output URI as holder) before anything reads it, so that a trainer going on there does not
 * prune it while this dataset is made. Hold first, check the step second (CheckpointStore.holdStep); a step pruned
 * in between is resolved again. A store this job may not write (a read-only model folder in an image, read-only
 * credentials) loses only that protection: warned, not failed. Returns the step folder's URI.
 */
export async function resolveAndHold(ctx: TaskContext, uri: string): Promise<{ uri: string; held: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { checkpoints, step } = await asBadInput(uri, () => resolveCheckpoint(uri, ctx.open));
    const ref = await checkpoints.committedRef(step);
    if (!ref) continue;
    try {
      if (await checkpoints.holdStep(step, ctx.store.root)) return { uri: ref.uri, held: true };
    } catch (err) {
      if (!isPermanentStorageError(err)) throw err;
      ctx.logger.warn(
        { checkpoint: ref.uri, error: err.message },
        "cannot hold the planned checkpoint (its store is read-only here): a training job's retention could delete it before this dataset is done",
      );
      return { uri: ref.uri, held: false };
    }
  }
  throw new Error(`checkpoint ${uri}: the step it points at was deleted three times while being held; try again`);
}

/**
 * Renews the hold on the planned step, at most once per `everyMs`: a hold is a lease (HOLD_TTL_MS), so that one
 * left by a job that failed for good or was deleted stops holding on its own. Used through loadPlannedModel.
 */
function holdRenewer(ctx: TaskContext, stepUri: string, step: number, everyMs = 3600_000): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  return async () => {
    if (Date.now() - last < everyMs) return;
    const folder = checkpointFolder(stepUri, ctx.open);
    try {
      await folder?.checkpoints.hold(step, ctx.store.root);
      last = Date.now();
    } catch (err) {
      // A lease of days does not need this renewal to succeed: storage trouble is retried after the next batch.
      if (!(err instanceof StorageError)) throw err;
      ctx.logger.warn(
        { checkpoint: stepUri, error: err.message },
        'could not renew the hold on the planned checkpoint',
      );
    }
  };
}

/** Runs fn; a missing or malformed checkpoint is bad input (exit 65), naming `uri`. */
async function asBadInput<T>(uri: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CheckpointError || err instanceof ObjectNotFoundError) {
      throw new PermanentInputError(`checkpoint ${uri}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * The encoder spec a checkpoint recorded (the one it was trained with), for jobs that name none. A relative location
 * (a bundled model records `../face-encoder/model.json`, so that it travels with its encoder) is relative to the
 * checkpoint store's folder, the parent of the step folder `stepUri`.
 */
export function recordedEncoderSpec(model: LoadedCheckpoint, stepUri: string): IdentityEncoderSpec {
  const spec = model.info.provenance?.encoderSpec as IdentityEncoderSpec | undefined;
  if (!spec?.uri) {
    throw new PermanentInputError(
      `checkpoint ${stepUri} does not record its encoder's location; set spec.encoder in the job`,
    );
  }
  return isRelativePath(spec.uri) ? { ...spec, uri: resolveUri(parentUri(stepUri), spec.uri) } : spec;
}

function parentUri(uri: string): string {
  return posix.dirname(uri.replace(/\/+$/, ''));
}

/** `rel` joined to the folder `base` (a path or scheme://authority/path), `..` segments applied. */
export function resolveUri(base: string, rel: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)(.*)$/i.exec(base);
  const [prefix, path] = m ? [m[1]!, m[2] || '/'] : ['', base];
  return prefix + posix.normalize(posix.join(path, rel));
}

export function markersOf(ctx: TaskContext): TaskMarkers {
  return new TaskMarkers(ctx.store);
}

/** Diffusion-range floats ([-1, 1], NHWC) → 8-bit RGB, one Uint8Array per image. */
export function toRgbBytes(values: Float32Array, count: number): Uint8Array[] {
  const per = values.length / count;
  return Array.from({ length: count }, (_, i) => {
    const out = new Uint8Array(per);
    for (let j = 0; j < per; j++) {
      const v = Math.round(((values[i * per + j]! + 1) / 2) * 255);
      out[j] = Math.min(255, Math.max(0, v));
    }
    return out;
  });
}

/** 8-bit RGB → diffusion-range floats. */
export function toDiffusionRange(rgb: Uint8Array, out: Float32Array, offset = 0): void {
  for (let j = 0; j < rgb.length; j++) out[offset + j] = (rgb[j]! / 255) * 2 - 1;
}
