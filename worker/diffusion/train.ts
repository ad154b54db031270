/**
 * One optimisation step of ID³: draw (t, ε, condition dropout) from the training seed, evaluate the ID³ loss and its
 * gradient through the frozen encoder, clip, AdamW, EMA. Maths only: batches come in, a new state and
 * the loss go out; checkpoints, metrics and data loading are the runner's.
 *
 * Every random value of step k derives from (training seed, k, row, purpose) through the Philox streams of
 * worker/planner, so a run resumed from the checkpoint of step k continues exactly as if it had never stopped.
 * The state is consumed: trainStep disposes the tensors of the state it was given.
 *
 * Parameters, EMA and AdamW moments live as flat vectors θ (declaration order, model/paramOffsets): the forward pass
 * splits θ once (its gradient is one concat), and the optimiser is a dozen ops on whole vectors instead of a dozen per
 * parameter tensor, which is most of a small model's step and most of the dispatches on a GPU.
 */
import * as tf from '@tensorflow/tfjs';
import { fillNormal, fillWords, PURPOSE, uniforms } from '../../random/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import {
  disposeParams,
  flattenParams,
  type InitOptions,
  initFlat,
  type Params,
  shouldRecompute,
  type UNet,
  unetGradient,
  unflattenParams,
} from '../model/index.ts';
import type { TrainingConfig } from './config.ts';
import { id3Loss, id3LossFromEps, type LossDraws, type LossTerms, lossInputs, type TrainBatch } from './loss.ts';
import { adamwUpdate, clipFactor, emaUpdate } from './optim.ts';
import type { NoiseSchedule } from './schedule.ts';

/** The frozen parts of training: network definition, encoder, schedule, hyper-parameters. */
export interface TrainModel {
  unet: UNet;
  encoder: IdentityEncoder;
  schedule: NoiseSchedule;
  training: TrainingConfig;
}

export interface TrainState {
  /** Optimiser steps completed. */
  step: number;
  /** θ, all parameters in declaration order. */
  theta: tf.Tensor1D;
  /** EMA of θ (what sampling uses). */
  ema: tf.Tensor1D;
  /** AdamW first and second moments of θ. */
  adamM: tf.Tensor1D;
  adamV: tf.Tensor1D;
}

export interface TrainStepResult {
  state: TrainState;
  loss: number;
  denoise: number;
  reconstruction: number;
  identity: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

export function createTrainState(unet: UNet, init: InitOptions): TrainState {
  const theta = initFlat(unet.specs, init);
  return { step: 0, theta, ema: theta.clone(), adamM: tf.zerosLike(theta), adamV: tf.zerosLike(theta) };
}

export function disposeTrainState(state: TrainState): void {
  tf.dispose([state.theta, state.ema, state.adamM, state.adamV]);
}

/** Named tensors of the raw or EMA weights of a state (new tensors; the caller disposes them). */
export function stateParams(unet: UNet, state: TrainState, which: 'ema' | 'raw' = 'ema'): Params {
  return unflattenParams(unet.specs, which === 'ema' ? state.ema : state.theta);
}

/** The random draws of step `step` for a batch of `batch` images: a pure function of the seed. */
export function drawStep(
  m: Pick<TrainModel, 'schedule' | 'unet'> & { training: Pick<TrainingConfig, 'seed'> },
  step: number,
  batch: number,
): LossDraws {
  const seed = m.training.seed;
  const u = m.unet.config.unet;
  const perImage = u.resolution * u.resolution * u.imageChannels;
  const noise = new Float32Array(batch * perImage);
  const t: number[] = [];
  const keepCondition: number[] = [];
  const pUncond = m.unet.config.conditioning.dropout;
  for (let row = 0; row < batch; row++) {
    const key = { seed, a: step, b: row };
    t.push(1 + Math.floor(uniforms({ ...key, purpose: PURPOSE.trainTimestep }, 1)[0]! * m.schedule.T));
    keepCondition.push(uniforms({ ...key, purpose: PURPOSE.conditionDropout }, 1)[0]! < pUncond ? 0 : 1);
    fillNormal({ ...key, purpose: PURPOSE.trainNoise }, noise.subarray(row * perImage, (row + 1) * perImage));
  }
  const word = new Uint32Array(1);
  const dropoutSeed = (block: number) => {
    fillWords({ seed, a: step, b: block, purpose: PURPOSE.trainDropout }, word);
    return word[0]!;
  };
  return {
    t,
    keepCondition,
    noise: tf.tensor4d(noise, [batch, u.resolution, u.resolution, u.imageChannels]),
    forward: { dropoutSeed },
  };
}

export interface TrainStepOptions {
  /**
   * Gradients by block-wise recomputation (model/recompute.ts): one extra forward pass, activation memory of one block
   * instead of the whole network. 'auto' recomputes on the CPU backends (wasm's heap is 4 GB) when a batch is large
   * enough to need it.
   */
  recompute?: boolean | 'auto';
}

/** Loss value, its terms and ∂L/∂θ (flat), by the tape or by recomputation. */
function lossAndGradient(
  m: TrainModel,
  theta: tf.Tensor1D,
  batch: TrainBatch,
  draws: LossDraws,
  recompute: boolean,
): { value: tf.Scalar; grad: tf.Tensor1D; terms: tf.Scalar[] } {
  const specs = m.unet.specs;
  const terms: tf.Scalar[] = [];
  const keepTerms = (out: LossTerms) => {
    terms.push(tf.keep(out.denoise), tf.keep(out.reconstruction), tf.keep(out.identity));
    return out.loss;
  };
  if (!recompute) {
    const objective = (th: tf.Tensor) => keepTerms(id3Loss(m, unflattenParams(specs, th as tf.Tensor1D), batch, draws));
    const { value, grad } = tf.valueAndGrad(objective)(theta);
    return { value, grad: grad as tf.Tensor1D, terms };
  }
  const P = unflattenParams(specs, theta);
  const inputs = tf.tidy(() => lossInputs(m, batch, draws));
  const g = unetGradient(
    m.unet,
    P,
    { x: inputs.xt, t: inputs.t, cond: inputs.cond },
    { lossOf: (eps) => keepTerms(id3LossFromEps(m, batch, draws, inputs, eps)), wrtInput: false, wrtParams: true },
    draws.forward,
  );
  const grad = flattenParams(specs, g.dParams!);
  disposeParams(g.dParams);
  disposeParams(P);
  tf.dispose([g.eps, inputs.xt, inputs.t, inputs.cond, inputs.y]);
  return { value: g.loss, grad, terms };
}

/** Binds the frozen parts; the returned function is trainStep(state, batch) → { state, loss, … }. */
export function makeTrainStep(
  m: TrainModel,
  opts: TrainStepOptions = {},
): (state: TrainState, batch: TrainBatch) => Promise<TrainStepResult> {
  return async (state, batch) => {
    const k = state.step + 1;
    const draws = drawStep(m, k, batch.x0.shape[0]);
    const recompute = shouldRecompute(opts.recompute, m.unet, batch.x0.shape[0]);
    const { value, grad, terms } = lossAndGradient(m, state.theta, batch, draws, recompute);
    draws.noise.dispose();
    // From here on every old tensor is released as soon as its replacement exists: peak memory stays near six θ.
    const clip = clipFactor([grad], m.training.gradientClipNorm);
    const slots = { m: [state.adamM], v: [state.adamV] };
    const next = adamwUpdate(m.training, k, [state.theta], [grad], slots, { consume: true, gradScale: clip.factor });
    const [ema] = emaUpdate([state.ema], next.params, m.training.emaDecay, { consume: true });
    const numbers = await Promise.all([value, ...terms, clip.norm].map(async (s) => (await s.data())[0]!));
    tf.dispose([value, ...terms, clip.norm, clip.factor]);
    const [loss, denoise, reconstruction, identity, gradNorm] = numbers as [number, number, number, number, number];
    return {
      state: {
        step: k,
        theta: next.params[0] as tf.Tensor1D,
        ema: ema as tf.Tensor1D,
        adamM: next.slots.m[0] as tf.Tensor1D,
        adamV: next.slots.v[0] as tf.Tensor1D,
      },
      loss,
      denoise,
      reconstruction,
      identity,
      gradNorm,
    };
  };
}
