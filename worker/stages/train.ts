import type { ID3TrainingJob } from '../../api/index.ts';
import { type CheckpointRef, CheckpointStore } from '../../io/checkpoints/index.ts';
import { scopedStore } from '../../io/storage/index.ts';
import {
  createTrainState,
  diffusionFromSpec,
  disposeTrainState,
  loadTrainState,
  makeTrainStep,
  saveCheckpoint,
  type TrainModel,
  type TrainState,
  trainingFromSpec,
  trainModelFromSpec,
} from '../diffusion/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { countParams, type ModelConfig } from '../model/index.ts';
import type { ProgressReporter, TaskContext } from '../runtime/index.ts';
import type { ComputeInfo } from '../tf/index.ts';
import { loadEncoderFrom, markersOf, useBackend } from './common.ts';
import { loadTrainingData, type TrainingData } from './training-data.ts';

/**
 * train (ID3TrainingJob, one task): resumes from the latest committed checkpoint (or initialises from the seed),
 * runs trainStep until spec.training.steps, reports loss and speed every logEverySteps, checkpoints every
 * checkpointEverySteps and whenever it is asked to stop (preemption, suspend, Ctrl-C), then exits 75 to be resumed.
 * Raising spec.training.steps on a finished job and running it again continues from its last checkpoint.
 */

interface Run {
  ctx: TaskContext;
  job: ID3TrainingJob;
  /** U-Net, frozen encoder, schedule and hyper-parameters, all from the spec. */
  model: TrainModel;
  config: ModelConfig;
  encoder: IdentityEncoder;
  data: TrainingData;
  checkpoints: CheckpointStore;
  progress: ProgressReporter;
  latest?: CheckpointRef;
  /** What computes: recorded in every checkpoint, since numerics differ across backends. */
  compute: ComputeInfo;
}

export async function train(ctx: TaskContext): Promise<void> {
  const job = ctx.job as ID3TrainingJob;
  const markers = markersOf(ctx);
  const done = await markers.read('train', 0);
  if (done && Number(done.summary?.step ?? 0) >= job.spec.training.steps) return;
  if (done) await markers.clear('train', 0); // steps were raised: train on
  const compute = await useBackend(ctx);
  const data = await loadTrainingData(ctx, job);
  const encoder = await loadEncoderFrom(ctx, job.spec.encoder);
  const model = trainModelFromSpec(job.spec, encoder);
  const run: Run = {
    ctx,
    job,
    model,
    config: model.unet.config,
    encoder,
    data,
    checkpoints: new CheckpointStore(scopedStore(ctx.store, 'checkpoints'), {
      keep: job.spec.training.keepCheckpoints,
      onWarning: (message) => ctx.logger.warn(message),
    }),
    progress: ctx.progress('steps', job.spec.training.steps),
    compute,
  };
  try {
    const state = await trainLoop(run, await initialState(run));
    await markers.markDone('train', 0, [], { step: state.step, checkpointURI: run.latest?.uri });
    disposeTrainState(state);
  } finally {
    encoder.dispose();
  }
}

async function initialState(run: Run): Promise<TrainState> {
  run.latest = await run.checkpoints.latest();
  if (!run.latest) return createTrainState(run.model.unet, { seed: run.job.spec.training.seed });
  const ckpt = await run.checkpoints.load(run.latest.step);
  const { state } = loadTrainState({ metadata: ckpt.metadata as never, files: ckpt.files });
  run.ctx.logger.info({ step: state.step, checkpoint: run.latest.uri }, 'resuming from the latest checkpoint');
  return state;
}

async function trainLoop(run: Run, initial: TrainState): Promise<TrainState> {
  const { ctx, job } = run;
  const t = job.spec.training;
  const { unet } = run.model;
  const trainStep = makeTrainStep(run.model);
  let state = initial;
  let window: number[] = [];
  ctx.logger.info(
    { step: state.step, steps: t.steps, images: run.data.count, parameters: countParams(unet.specs) },
    'training',
  );
  while (state.step < t.steps) {
    const started = performance.now();
    const batch = run.data.batch(state.step + 1, t.batchSize, run.config.conditioning);
    const result = await trainStep(state, batch).finally(() => {
      batch.x0.dispose();
      batch.y.dispose();
      batch.sNorm.dispose();
    });
    state = result.state;
    window.push(result.loss);
    ctx.metrics.trainingSteps.inc();
    ctx.metrics.trainingStepSeconds.observe((performance.now() - started) / 1000);
    const stopping = ctx.signal.aborted;
    if (state.step % t.checkpointEverySteps === 0 || state.step === t.steps || stopping) await checkpoint(run, state);
    if (state.step % t.logEverySteps === 0 || state.step === t.steps || stopping) {
      const loss = window.reduce((a, b) => a + b, 0) / window.length;
      window = [];
      ctx.metrics.trainingLoss.set(loss);
      await report(run, state.step, loss);
      ctx.logger.info(
        {
          step: state.step,
          loss: round(loss),
          denoise: round(result.denoise),
          identity: round(result.identity),
          gradNorm: round(result.gradNorm),
        },
        'step',
      );
    }
    if (stopping) throw ctx.stopped();
  }
  await run.progress.finish();
  return state;
}

async function checkpoint(run: Run, state: TrainState): Promise<void> {
  const { job } = run;
  if (run.latest?.step === state.step) return;
  const names = run.config.conditioning.attributes.map((a) => a.name);
  const saved = await saveCheckpoint(run.config, state, {
    step: state.step,
    training: trainingFromSpec(job.spec.training),
    diffusion: diffusionFromSpec(job.spec.diffusion),
    encoder: run.encoder.info,
    attributePool: run.data.attributePool(names),
    embeddingSpace: run.data.embeddingSpace(),
    provenance: {
      job: job.metadata.name,
      namespace: job.metadata.namespace,
      dataset: job.spec.dataset.uri,
      images: run.data.count,
      encoderSpec: job.spec.encoder,
      createdBy: 'id3-operator',
      compute: run.compute,
    },
  });
  run.latest = await run.checkpoints.save({ step: state.step, metadata: saved.metadata, files: saved.files });
  run.ctx.logger.info({ step: state.step, checkpoint: run.latest.uri }, 'checkpoint committed');
}

function report(run: Run, step: number, loss: number): Promise<void> {
  return run.progress.update(step, {
    step,
    loss,
    ...(run.latest ? { checkpointURI: run.latest.uri, checkpointStep: run.latest.step } : {}),
  });
}

function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
