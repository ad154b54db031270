/**
 * Training the bundled face encoder on procedural identities: a pool of pictures per identity with varied pose, age,
 * lighting and expression, rendered once, then drawn with small random shifts, fed to the product's face-recognition
 * trainer (worker/recognition) and validated on held-out rendered identities.
 */
import type * as tf from '@tensorflow/tfjs';
import { PURPOSE, uniforms } from '../../random/index.ts';
import {
  defaultRecognitionTrainingConfig,
  type RecognitionTrainingConfig,
  type TrainingHooks,
  trainRecognition,
} from '../../worker/recognition/index.ts';
import { evaluateVerification, type VerificationProtocol } from './evaluate.ts';
import { type FaceAddress, FacePool } from './face-batches.ts';

export interface EncoderTrainingConfig extends Omit<RecognitionTrainingConfig, 'classes'> {
  /** Set seed of the training identities (evaluation must use another). */
  setSeed: number;
  identities: number;
  /** Pictures rendered per training identity (the pool batches are drawn from). */
  picturesPerIdentity: number;
  /** Largest random translation of a training picture, in pixels. */
  maxShift: number;
  /** Monitoring on held-out identities (not the ones the model card reports). */
  validation: VerificationProtocol;
}

export function defaultEncoderTrainingConfig(): EncoderTrainingConfig {
  const { classes: _, ...base } = defaultRecognitionTrainingConfig();
  return {
    ...base,
    setSeed: 1,
    identities: 2000,
    picturesPerIdentity: 16,
    maxShift: 1,
    validation: { setSeed: 7, identities: 200, perIdentity: 4, pairs: 500, size: base.net.inputSize, pairSeed: 3 },
  };
}

export interface EncoderTrainingHooks extends Omit<TrainingHooks, 'validate'> {
  /** Progress of rendering the training pictures, before the first step. */
  onRendering?(done: number, total: number): void;
  /** The training pictures when rendered earlier (must match setSeed, identities, picturesPerIdentity, size). */
  pool?: FacePool;
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

export async function trainEncoder(
  config: EncoderTrainingConfig,
  hooks: EncoderTrainingHooks = {},
): Promise<tf.LayersModel> {
  const size = config.net.inputSize;
  const pool =
    hooks.pool ??
    FacePool.render(config.setSeed, config.identities, config.picturesPerIdentity, size, hooks.onRendering);
  const batchAt = (step: number) => {
    const { addresses, shifts } = batchAddresses(config, step);
    return pool.batch(addresses, shifts);
  };
  return trainRecognition({ ...config, classes: config.identities }, batchAt, {
    ...hooks,
    validate: (encoder) => evaluateVerification(encoder, config.validation).accuracy.accuracy,
  });
}
