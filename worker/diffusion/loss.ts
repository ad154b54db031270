/**
 * The ID³ training objective (Eq. 3, as the method page fixes it), a pure function of parameters, batch and draws:
 *
 *   x_t  = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε                                  qSample
 *   x̂₀   = clip((x_t − √(1 − ᾱ_t)·ε_θ(x_t, t, c)) / √ᾱ_t, −1, 1)      predictX0FromEps, decision 4
 *   L    = ‖ε − ε_θ‖² + c_rec·‖x₀ − x̂₀‖² − w_id·w_t·⟨y, f(x̂₀)⟩       w_t = 0.5·(1 − 1/(1 + exp(−t/T)))
 *
 * averaged over the batch, squared norms as means over pixels. f is the frozen encoder: its weights are constants
 * here, the gradient flows through it into ε_θ and the projection module. Rows whose condition is dropped (p_uncond)
 * see y = 0, s = 0, so their identity term vanishes too.
 */
import * as tf from '@tensorflow/tfjs';
import type { IdentityEncoder } from '../encoder/index.ts';
import type { ForwardOptions, Params, UNet } from '../model/index.ts';
import type { TrainingConfig } from './config.ts';
import { type NoiseSchedule, wT } from './schedule.ts';
import { qSample } from './scheduler.ts';

export interface TrainBatch {
  /** Clean images in [−1, 1], [B, H, W, 3]. */
  x0: tf.Tensor4D;
  /** Identity embeddings y (unit rows), [B, E]. */
  y: tf.Tensor2D;
  /** Normalised attributes s_norm, [B, |s|]. */
  sNorm: tf.Tensor2D;
}

/** Everything random in one evaluation of the loss, drawn by the caller. */
export interface LossDraws {
  /** Timesteps 1…T, one per row. */
  t: number[];
  /** ε, [B, H, W, 3]. */
  noise: tf.Tensor4D;
  /** 1 keeps a row's condition, 0 drops it (p_uncond). */
  keepCondition: number[];
  forward?: ForwardOptions;
}

export interface LossTerms {
  loss: tf.Scalar;
  denoise: tf.Scalar;
  reconstruction: tf.Scalar;
  identity: tf.Scalar;
}

export interface LossModel {
  unet: UNet;
  encoder: IdentityEncoder;
  schedule: NoiseSchedule;
  training: Pick<TrainingConfig, 'idLossWeight' | 'reconstructionWeight'>;
}

function perRow(values: number[]): tf.Tensor {
  return tf.tensor(values, [values.length, 1, 1, 1]);
}

/**
 * The network's inputs for one evaluation: x_t (qSample), the timesteps, [y ; s_norm] and y, dropped rows zeroed.
 * (A type, not an interface, so that tf.tidy can return it.)
 */
export type LossInputs = {
  xt: tf.Tensor4D;
  t: tf.Tensor1D;
  cond: tf.Tensor2D;
  y: tf.Tensor2D;
};

export function lossInputs(m: Pick<LossModel, 'schedule'>, batch: TrainBatch, draws: LossDraws): LossInputs {
  const xt = qSample(m.schedule, batch.x0, draws.t, draws.noise);
  const keep = tf.tensor2d(draws.keepCondition, [draws.keepCondition.length, 1]);
  const y = batch.y.mul(keep) as tf.Tensor2D;
  const cond = tf.concat([y, batch.sNorm.mul(keep)], 1) as tf.Tensor2D;
  return { xt, t: tf.tensor1d(draws.t), cond, y };
}

/** The terms of Eq. 3 given the network's prediction ε_θ = eps. Allocates: call inside a scope. */
export function id3LossFromEps(
  m: LossModel,
  batch: TrainBatch,
  draws: LossDraws,
  inputs: LossInputs,
  eps: tf.Tensor4D,
): LossTerms {
  const { schedule } = m;
  const denoise = eps.sub(draws.noise).square().mean();
  const { idLossWeight, reconstructionWeight } = m.training;
  let reconstruction = tf.scalar(0);
  let identity = tf.scalar(0);
  if (idLossWeight !== 0 || reconstructionWeight !== 0) {
    const sa = perRow(draws.t.map((t) => Math.sqrt(schedule.alphaBar[t]!)));
    const sb = perRow(draws.t.map((t) => Math.sqrt(1 - schedule.alphaBar[t]!)));
    const x0Hat = inputs.xt.sub(eps.mul(sb)).div(sa).clipByValue(-1, 1) as tf.Tensor4D;
    if (reconstructionWeight !== 0) reconstruction = x0Hat.sub(batch.x0).square().mean();
    if (idLossWeight !== 0) {
      const w = tf.tensor1d(draws.t.map((t) => wT(t, schedule.T)));
      const inner = m.encoder.embed(x0Hat).mul(inputs.y).sum(1);
      identity = inner.mul(w).mean().mul(idLossWeight);
    }
  }
  const loss = denoise.add(reconstruction.mul(reconstructionWeight)).sub(identity) as tf.Scalar;
  return {
    loss,
    denoise: denoise as tf.Scalar,
    reconstruction: reconstruction as tf.Scalar,
    identity: identity as tf.Scalar,
  };
}

/** All four terms; `loss` is what training minimises. Allocates: call inside tf.tidy or a gradient function. */
export function id3Loss(m: LossModel, P: Params, batch: TrainBatch, draws: LossDraws): LossTerms {
  const inputs = lossInputs(m, batch, draws);
  const eps = m.unet.apply(P, { x: inputs.xt, t: inputs.t, cond: inputs.cond }, draws.forward);
  return id3LossFromEps(m, batch, draws, inputs, eps);
}
