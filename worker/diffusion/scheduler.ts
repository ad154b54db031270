/**
 * Reverse steps: pure functions of (schedule, ε, t, tPrev, x_t, noise), each inside tf.tidy. The noise is an argument,
 * drawn by the caller from each image's own seed, so a sample never depends on its batch neighbours.
 *
 * Notation: ᾱ = ᾱ_t, ᾱ' = ᾱ_{tPrev} (tPrev < t, any respacing; tPrev = 0 is the clean image, ᾱ_0 = 1).
 *   x̂₀ = (x_t − √(1 − ᾱ)·ε) / √ᾱ                                        predictX0FromEps (method page, decision 4)
 *   DDPM (Ho et al. Algorithm 2, respaced): α = ᾱ/ᾱ', β = 1 − α
 *     x_{t'} = (x_t − β/√(1 − ᾱ)·ε) / √α + σ·z,   σ² = β·(1 − ᾱ')/(1 − ᾱ) (posterior, "fixed small") or β ("fixed large")
 *   DDIM (Song et al. Eq. 12):
 *     σ = η·√((1 − ᾱ')/(1 − ᾱ))·√(1 − ᾱ/ᾱ'),   x_{t'} = √ᾱ'·x̂₀ + √(1 − ᾱ' − σ²)·ε + σ·z
 * With clipping on, x̂₀ is clipped to [−1, 1] and ε re-derived from it, so both samplers stay consistent.
 */
import * as tf from '@tensorflow/tfjs';
import type { NoiseSchedule } from './schedule.ts';

export type SamplerType = 'DDPM' | 'DDIM';
export type DdpmVariance = 'posterior' | 'beta';

export interface StepInput {
  /** ε predicted for x_t (possibly identity-guided: ε̃). */
  modelOutput: tf.Tensor4D;
  t: number;
  tPrev: number;
  sample: tf.Tensor4D;
  /** Standard normal noise for this step (ignored when the step adds none). */
  noise?: tf.Tensor4D;
}

export interface StepOutput {
  prevSample: tf.Tensor4D;
  predX0: tf.Tensor4D;
}

export interface StepOptions {
  type: SamplerType;
  /** DDIM's η (0 = deterministic). */
  eta: number;
  /** DDPM's σ². */
  variance: DdpmVariance;
  clipPredX0: boolean;
}

/** x̂₀ from ε (decision 4 of the method page, before clipping). */
export function predictX0FromEps(xt: tf.Tensor, eps: tf.Tensor, alphaBar: number): tf.Tensor {
  return tf.tidy(() => xt.sub(eps.mul(Math.sqrt(1 - alphaBar))).div(Math.sqrt(alphaBar)));
}

/** ε from x̂₀, the inverse of predictX0FromEps. */
export function predictEpsFromX0(xt: tf.Tensor, x0: tf.Tensor, alphaBar: number): tf.Tensor {
  return tf.tidy(() => xt.sub(x0.mul(Math.sqrt(alphaBar))).div(Math.sqrt(1 - alphaBar)));
}

/** σ of a step: whether and how much noise it adds. */
export function stepSigma(schedule: NoiseSchedule, t: number, tPrev: number, opts: StepOptions): number {
  if (tPrev === 0) return 0;
  const ab = schedule.alphaBar[t]!;
  const abPrev = schedule.alphaBar[tPrev]!;
  const beta = 1 - ab / abPrev;
  if (opts.type === 'DDIM') return opts.eta * Math.sqrt(((1 - abPrev) / (1 - ab)) * beta);
  return Math.sqrt(opts.variance === 'beta' ? beta : (beta * (1 - abPrev)) / (1 - ab));
}

function ddpmMean(s: NoiseSchedule, x: StepInput, predX0: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  const ab = s.alphaBar[x.t]!;
  const abPrev = s.alphaBar[x.tPrev]!;
  const alpha = ab / abPrev;
  const beta = 1 - alpha;
  if (x.tPrev === 0) return predX0;
  // Ho et al. Algorithm 2 line 4; identical to the posterior mean μ̃(x_t, x̂₀) when x̂₀ is derived from this ε.
  return x.sample.sub(eps.mul(beta / Math.sqrt(1 - ab))).div(Math.sqrt(alpha));
}

function ddimMean(s: NoiseSchedule, x: StepInput, predX0: tf.Tensor, eps: tf.Tensor, sigma: number): tf.Tensor {
  const abPrev = s.alphaBar[x.tPrev]!;
  return predX0.mul(Math.sqrt(abPrev)).add(eps.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
}

/** One reverse step x_t → x_{tPrev}. */
export function step(schedule: NoiseSchedule, input: StepInput, opts: StepOptions): StepOutput {
  return tf.tidy(() => {
    const ab = schedule.alphaBar[input.t]!;
    let predX0 = predictX0FromEps(input.sample, input.modelOutput, ab);
    let eps: tf.Tensor = input.modelOutput;
    if (opts.clipPredX0) {
      predX0 = predX0.clipByValue(-1, 1);
      eps = predictEpsFromX0(input.sample, predX0, ab);
    }
    const sigma = stepSigma(schedule, input.t, input.tPrev, opts);
    const mean =
      opts.type === 'DDIM' ? ddimMean(schedule, input, predX0, eps, sigma) : ddpmMean(schedule, input, predX0, eps);
    if (sigma === 0) return { prevSample: mean as tf.Tensor4D, predX0: predX0 as tf.Tensor4D };
    if (!input.noise) throw new Error(`step t=${input.t}→${input.tPrev} adds noise (σ=${sigma}) but none was given`);
    return { prevSample: mean.add(input.noise.mul(sigma)) as tf.Tensor4D, predX0: predX0 as tf.Tensor4D };
  });
}

/** q(x_t | x₀) sampled with the given noise: √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε, per image (t [B]). DDPM Eq. 4. */
export function qSample(
  schedule: NoiseSchedule,
  x0: tf.Tensor4D,
  t: readonly number[],
  noise: tf.Tensor4D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const b = t.length;
    const sa = tf.tensor4d(
      t.map((ti) => Math.sqrt(schedule.alphaBar[ti]!)),
      [b, 1, 1, 1],
    );
    const sb = tf.tensor4d(
      t.map((ti) => Math.sqrt(1 - schedule.alphaBar[ti]!)),
      [b, 1, 1, 1],
    );
    return x0.mul(sa).add(noise.mul(sb)) as tf.Tensor4D;
  });
}
