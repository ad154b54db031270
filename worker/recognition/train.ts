/**
 * Training a face-recognition network the way the field does: an IR-ResNet-style network (ir-net.ts) with an additive
 * margin softmax over class centres (arcface.ts), Adam with a linear warm-up and a cosine decay, and a margin that
 * grows from 0 (from-scratch ArcFace converges more surely so). The batches come from the caller — rendered faces for
 * the bundled encoder (tools/encoder), a dataset's images for a downstream evaluation — so the loop does maths and
 * calls hooks; reading data, saving, logging and stopping are the caller's.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderInfo, IdentityEncoder } from '../encoder/index.ts';
import { modelEncoder } from '../encoder/index.ts';
import { registerBroadcastBatchNormGradient } from '../tf/index.ts';
import { type ArcFaceConfig, arcFaceLoss, defaultArcFaceConfig } from './arcface.ts';
import { buildIrNet, defaultIrNetConfig, type IrNetConfig } from './ir-net.ts';

export interface RecognitionTrainingConfig {
  net: IrNetConfig;
  arcface: ArcFaceConfig;
  /** Identities (softmax classes) the batches label. */
  classes: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  warmupSteps: number;
  /** Steps over which the margin grows from 0 to arcface.margin. */
  marginWarmupSteps: number;
  /** Seed of weight initialisation (and, by convention, of the caller's batch draws). */
  seed: number;
  /** Steps between validations (hooks.validate) and checkpoints (hooks.onCheckpoint). */
  validateEvery: number;
}

export function defaultRecognitionTrainingConfig(): RecognitionTrainingConfig {
  return {
    net: defaultIrNetConfig(),
    arcface: defaultArcFaceConfig,
    classes: 2000,
    steps: 4000,
    batchSize: 128,
    learningRate: 3e-3,
    finalLearningRate: 3e-5,
    warmupSteps: 100,
    marginWarmupSteps: 800,
    seed: 1,
    validateEvery: 250,
  };
}

/** The input convention of networks trained here: RGB, [0, 1] pixels standardised to [−1, 1]. */
export function encoderInfo(net: IrNetConfig, name = 'id3-face-encoder'): EncoderInfo {
  return {
    name,
    inputSize: net.inputSize,
    embeddingSize: net.embeddingSize,
    channelOrder: 'RGB',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  };
}

/** One training batch: [batchSize, size, size, 3] pixels in [−1, 1] and their class labels. */
export interface LabelledBatch {
  pixels: Float32Array;
  labels: Int32Array;
}

export interface TrainingEvent {
  step: number;
  loss: number;
  learningRate: number;
  margin: number;
  secondsPerStep: number;
  validationAccuracy?: number;
}

export interface TrainingHooks {
  onEvent?(event: TrainingEvent): void;
  /** Called after each validation with the model so far, e.g. to save it. */
  onCheckpoint?(model: tf.LayersModel, step: number): Promise<void>;
  /** Verification accuracy of the model so far, on data the batches never show. */
  validate?(encoder: IdentityEncoder): number;
  /** Polled between steps; true ends training early (the model so far is returned). */
  shouldStop?(): boolean;
  clock?: () => number;
}

/** Cosine decay from learningRate to finalLearningRate after a linear warm-up. */
export function learningRateAt(config: RecognitionTrainingConfig, step: number): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const t = (step - config.warmupSteps) / Math.max(config.steps - config.warmupSteps, 1);
  const { learningRate: hi, finalLearningRate: lo } = config;
  return lo + 0.5 * (hi - lo) * (1 + Math.cos(Math.PI * Math.min(t, 1)));
}

/** Trains from scratch on `batchAt(step)` for config.steps steps (or until hooks.shouldStop). */
export async function trainRecognition(
  config: RecognitionTrainingConfig,
  batchAt: (step: number) => LabelledBatch | Promise<LabelledBatch>,
  hooks: TrainingHooks = {},
): Promise<tf.LayersModel> {
  registerBroadcastBatchNormGradient();
  const clock = hooks.clock ?? (() => performance.now() / 1000);
  const { embeddingSize: d, inputSize: size } = config.net;
  const model = buildIrNet(config.net, config.seed);
  const centres = tf.variable(tf.randomNormal([d, config.classes], 0, 1 / Math.sqrt(d), 'float32', config.seed));
  const optimizer = tf.train.adam(config.learningRate);
  // AdamOptimizer keeps its rate in a protected field; the schedule sets it between steps.
  const rate = optimizer as unknown as { learningRate: number };
  const vars = [...model.trainableWeights.map((w) => w.read() as tf.Variable), centres];
  for (let step = 0; step < config.steps && !hooks.shouldStop?.(); step++) {
    const started = clock();
    rate.learningRate = learningRateAt(config, step);
    const margin = config.arcface.margin * Math.min(1, step / Math.max(config.marginWarmupSteps, 1));
    const batch = await batchAt(step);
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(batch.pixels, [config.batchSize, size, size, 3]);
      const y = tf.tensor1d(batch.labels, 'int32');
      const arc = { ...config.arcface, margin };
      const value = optimizer.minimize(
        () => arcFaceLoss(model.apply(x, { training: true }) as tf.Tensor2D, centres as tf.Tensor2D, y, arc),
        true,
        vars,
      );
      return value ?? tf.scalar(Number.NaN);
    });
    const lossValue = (await loss.data())[0]!;
    loss.dispose();
    const event: TrainingEvent = {
      step: step + 1,
      loss: lossValue,
      learningRate: rate.learningRate,
      margin,
      secondsPerStep: clock() - started,
    };
    if ((step + 1) % config.validateEvery === 0 || step + 1 === config.steps) {
      if (hooks.validate) event.validationAccuracy = hooks.validate(modelEncoder(model, encoderInfo(config.net)));
      await hooks.onCheckpoint?.(model, step + 1);
    }
    hooks.onEvent?.(event);
  }
  tf.dispose([centres]);
  optimizer.dispose();
  return model;
}
