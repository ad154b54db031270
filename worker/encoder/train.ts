/**
 * Training the bundled face encoder: the IR-style network of ir-net.ts with ArcFace's additive angular margin on
 * procedural identities (a pool of pictures per identity with varied pose, age, lighting and expression, rendered
 * once, then drawn with small random shifts). The loop does maths and calls hooks; saving, logging and stopping are the caller's.
 */
import * as tf from '@tensorflow/tfjs';
import { PURPOSE, uniforms } from '../planner/index.ts';
import { type ArcFaceConfig, arcFaceLoss, defaultArcFaceConfig } from './arcface.ts';
import { registerBroadcastBatchNormGradient } from './batchnorm-grad.ts';
import { evaluateVerification, type VerificationProtocol } from './evaluate.ts';
import { type FaceAddress, FacePool } from './face-batches.ts';
import { buildIrNet, defaultIrNetConfig, type IrNetConfig } from './ir-net.ts';
import { modelEncoder } from './loader.ts';
import type { EncoderInfo } from './types.ts';

export interface EncoderTrainingConfig {
  net: IrNetConfig;
  arcface: ArcFaceConfig;
  /** Set seed of the training identities (evaluation must use another). */
  setSeed: number;
  identities: number;
  /** Pictures rendered per training identity (the pool batches are drawn from). */
  picturesPerIdentity: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  finalLearningRate: number;
  warmupSteps: number;
  /** Steps over which the margin grows from 0 to arcface.margin; from-scratch ArcFace converges more surely so. */
  marginWarmupSteps: number;
  /** Largest random translation of a training picture, in pixels. */
  maxShift: number;
  /** Seed of weight initialisation and of the batch draws. */
  seed: number;
  /** Monitoring on held-out identities (not the ones the model card reports). */
  validation: VerificationProtocol;
  validateEvery: number;
}

export function defaultEncoderTrainingConfig(): EncoderTrainingConfig {
  const net = defaultIrNetConfig();
  return {
    net,
    arcface: defaultArcFaceConfig,
    setSeed: 1,
    identities: 2000,
    picturesPerIdentity: 16,
    steps: 4000,
    batchSize: 128,
    learningRate: 3e-3,
    finalLearningRate: 3e-5,
    warmupSteps: 100,
    marginWarmupSteps: 800,
    maxShift: 1,
    seed: 1,
    validation: { setSeed: 7, identities: 200, perIdentity: 4, pairs: 500, size: net.inputSize, pairSeed: 3 },
    validateEvery: 250,
  };
}

/** The input convention the bundled encoder is trained with: RGB, [0, 1] pixels standardised to [−1, 1]. */
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
  /** Progress of rendering the training pictures, before the first step. */
  onRendering?(done: number, total: number): void;
  /** The training pictures when rendered earlier (must match setSeed, identities, picturesPerIdentity, size). */
  pool?: FacePool;
  /** Polled between steps; true ends training early (the model so far is returned). */
  shouldStop?(): boolean;
  clock?: () => number;
}

/** Cosine decay from learningRate to finalLearningRate after a linear warm-up. */
export function learningRateAt(config: EncoderTrainingConfig, step: number): number {
  if (step < config.warmupSteps) return (config.learningRate * (step + 1)) / config.warmupSteps;
  const t = (step - config.warmupSteps) / Math.max(config.steps - config.warmupSteps, 1);
  const { learningRate: hi, finalLearningRate: lo } = config;
  return lo + 0.5 * (hi - lo) * (1 + Math.cos(Math.PI * Math.min(t, 1)));
}

/** The batch of step `step`: identities, picture indices and shifts from the training seed alone. */
export function batchAddresses(
  config: EncoderTrainingConfig,
  step: number,
): {
  addresses: FaceAddress[];
  shifts: [number, number][];
} {
  const u = uniforms({ seed: config.seed, a: step, b: 0, purpose: PURPOSE.batchOrder }, config.batchSize * 4);
  const span = 2 * config.maxShift + 1;
  const addresses: FaceAddress[] = [];
  const shifts: [number, number][] = [];
  for (let i = 0; i < config.batchSize; i++) {
    addresses.push({
      identity: Math.floor(u[4 * i]! * config.identities),
      index: Math.floor(u[4 * i + 1]! * config.picturesPerIdentity),
    });
    shifts.push([
      Math.floor(u[4 * i + 2]! * span) - config.maxShift,
      Math.floor(u[4 * i + 3]! * span) - config.maxShift,
    ]);
  }
  return { addresses, shifts };
}

export async function trainEncoder(config: EncoderTrainingConfig, hooks: TrainingHooks = {}): Promise<tf.LayersModel> {
  registerBroadcastBatchNormGradient();
  const clock = hooks.clock ?? (() => performance.now() / 1000);
  const { embeddingSize: d, inputSize: size } = config.net;
  const pool =
    hooks.pool ??
    FacePool.render(config.setSeed, config.identities, config.picturesPerIdentity, size, hooks.onRendering);
  const model = buildIrNet(config.net, config.seed);
  const centres = tf.variable(tf.randomNormal([d, config.identities], 0, 1 / Math.sqrt(d), 'float32', config.seed));
  const optimizer = tf.train.adam(config.learningRate);
  // AdamOptimizer keeps its rate in a protected field; the schedule sets it between steps.
  const rate = optimizer as unknown as { learningRate: number };
  const vars = [...model.trainableWeights.map((w) => w.read() as tf.Variable), centres];
  for (let step = 0; step < config.steps && !hooks.shouldStop?.(); step++) {
    const started = clock();
    rate.learningRate = learningRateAt(config, step);
    const margin = config.arcface.margin * Math.min(1, step / Math.max(config.marginWarmupSteps, 1));
    const { addresses, shifts } = batchAddresses(config, step);
    const batch = pool.batch(addresses, shifts);
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
      const encoder = modelEncoder(model, encoderInfo(config.net));
      event.validationAccuracy = evaluateVerification(encoder, config.validation).accuracy.accuracy;
      await hooks.onCheckpoint?.(model, step + 1);
    }
    hooks.onEvent?.(event);
  }
  tf.dispose([centres]);
  optimizer.dispose();
  return model;
}
