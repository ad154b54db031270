/**
 * Algorithm 2 of ID³, batched: DDPM ancestral (all T steps, or an evenly respaced subset) or DDIM with K steps, both
 * following the identity-adjusted score. At every step, for every image i of the batch:
 *
 *   ε̂  = ε_θ(x_t, t, c_i)
 *   x̂₀ = clip((x_t − √(1 − ᾱ_t)·ε̂) / √ᾱ_t, −1, 1)
 *   g  = ∇_{x_t} ⟨y_i, f(x̂₀)⟩                          through the encoder f and the U-Net
 *   ε̃  = ε̂ − √(1 − ᾱ_t)·s_id·w_t·g                     s_id = guidance scale; 0 skips g (the paper's ablation)
 *   x_{t'} = step(ε̃)                                   DDPM or DDIM update (scheduler.ts)
 *
 * Images never mix: the network and the encoder act per image, the gradient of a sum of per-image terms is per image,
 * and image i's x_T and step noises are draws 0, 1, 2, … of its own Philox stream (random/keys.ts imageNoiseKey:
 * seed, identity, image index). So an image is the same whatever batch it is generated in.
 */
import * as tf from '@tensorflow/tfjs';
import { blocksFor, fillNormal, type StreamKey } from '../../random/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { type Params, shouldRecompute, type UNet, unetGradient } from '../model/index.ts';
import type { SamplerConfig } from './config.ts';
import { type NoiseSchedule, respacedTimesteps, wT } from './schedule.ts';
import { predictX0FromEps, type StepOptions, step, stepSigma } from './scheduler.ts';

/** ε_θ as the sampler sees it: any differentiable function of (x_t, t, c), with the image shape it works on. */
export interface Denoiser {
  /** [H, W, C] of one image. */
  imageShape: [number, number, number];
  /** `inputGradientOnly`: the caller differentiates with respect to x only (identity guidance). */
  eps(x: tf.Tensor4D, t: tf.Tensor1D, cond: tf.Tensor2D, opts?: { inputGradientOnly?: boolean }): tf.Tensor4D;
  /**
   * ε and ∂lossOf(ε(x), x)/∂x computed in bounded memory, when the denoiser can and the batch needs it; undefined
   * means: differentiate eps() with the tape.
   */
  epsAndInputGradient?(
    x: tf.Tensor4D,
    t: tf.Tensor1D,
    cond: tf.Tensor2D,
    lossOf: (eps: tf.Tensor4D, x: tf.Tensor4D) => tf.Scalar,
  ): { eps: tf.Tensor4D; dx: tf.Tensor4D } | undefined;
}

/**
 * The U-Net with fixed weights (the EMA weights, normally) as a Denoiser. `recompute` as in trainStep: guidance
 * gradients by block-wise recomputation ('auto': on CPU backends when the batch is large).
 */
export function unetDenoiser(unet: UNet, params: Params, opts: { recompute?: boolean | 'auto' } = {}): Denoiser {
  const u = unet.config.unet;
  return {
    imageShape: [u.resolution, u.resolution, u.imageChannels],
    eps: (x, t, cond, o) => unet.apply(params, { x, t, cond }, o),
    epsAndInputGradient: (x, t, cond, lossOf) => {
      if (!shouldRecompute(opts.recompute, unet, x.shape[0])) return undefined;
      const g = unetGradient(
        unet,
        params,
        { x, t, cond },
        { lossOf, wrtInput: true, wrtParams: false },
        {
          inputGradientOnly: true,
        },
      );
      g.loss.dispose();
      return { eps: g.eps, dx: g.dx! };
    },
  };
}

export interface SamplerModel {
  denoiser: Denoiser;
  schedule: NoiseSchedule;
  /** Required when guidanceScale > 0. */
  encoder?: IdentityEncoder;
}

export interface SampleRequest {
  /** [B × (|y| + |s|)] rows of [y ; s_norm] (model/conditionMatrix). */
  cond: Float32Array;
  /** [B × |y|] the identity embeddings the guidance pulls towards (usually the y inside cond). */
  y: Float32Array;
  /** Each image's noise stream (random/keys.ts imageNoiseKey in a dataset). */
  noiseKeys: StreamKey[];
}

export interface SampleOptions {
  /** Called after each step (progress, or an await to bound the backend's queue). */
  onStep?: (done: number, total: number) => void | Promise<void>;
}

/** Draw `draw` (0 = x_T, i = the noise of iteration i) of each image's stream, as one [B, H, W, C] tensor. */
export function noiseFor(keys: readonly StreamKey[], draw: number, shape: [number, number, number]): tf.Tensor4D {
  const per = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(keys.length * per);
  keys.forEach((k, i) => {
    fillNormal(k, out.subarray(i * per, (i + 1) * per), draw * blocksFor(per));
  });
  return tf.tensor4d(out, [keys.length, ...shape]);
}

/** ε̃ of Algorithm 2 for one step: the model's ε with the identity gradient folded in. */
export function guidedEps(
  m: SamplerModel,
  x: tf.Tensor4D,
  t: number,
  cond: tf.Tensor2D,
  y: tf.Tensor2D,
  scale: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const tt = tf.fill([x.shape[0]], t) as tf.Tensor1D;
    if (scale === 0) return m.denoiser.eps(x, tt, cond);
    const eps = (xt: tf.Tensor4D) => m.denoiser.eps(xt, tt, cond, { inputGradientOnly: true });
    if (!m.encoder) throw new Error('identity guidance (guidanceScale > 0) needs an encoder');
    const encoder = m.encoder;
    const ab = m.schedule.alphaBar[t]!;
    const weight = Math.sqrt(1 - ab) * scale * wT(t, m.schedule.T);
    // ⟨y, f(x̂₀)⟩ summed over the batch: its gradient is every image's own (they never mix).
    const identity = (epsHat: tf.Tensor4D, xt: tf.Tensor4D) =>
      encoder
        .embed(predictX0FromEps(xt, epsHat, ab).clipByValue(-1, 1) as tf.Tensor4D)
        .mul(y)
        .sum() as tf.Scalar;
    const lean = m.denoiser.epsAndInputGradient?.(x, tt, cond, identity);
    if (lean) return lean.eps.sub(lean.dx.mul(weight)) as tf.Tensor4D;
    let epsHat: tf.Tensor4D | undefined;
    const g = tf.grad((xt: tf.Tensor) => {
      epsHat = tf.keep(eps(xt as tf.Tensor4D));
      return identity(epsHat, xt as tf.Tensor4D);
    })(x);
    const guided = epsHat!.sub(g.mul(weight)) as tf.Tensor4D;
    epsHat!.dispose(); // kept out of the gradient's scope, so tidy would not release it
    return guided;
  });
}

/** Samples B images; returns them as [B, H, W, C] values in (about) [−1, 1], row-major. */
export async function sample(
  m: SamplerModel,
  cfg: SamplerConfig,
  req: SampleRequest,
  opts: SampleOptions = {},
): Promise<Float32Array> {
  const shape = m.denoiser.imageShape;
  const b = req.noiseKeys.length;
  const condWidth = req.cond.length / b;
  const cond = tf.tensor2d(req.cond, [b, condWidth]);
  const y = tf.tensor2d(req.y, [b, req.y.length / b]);
  const stepOpts: StepOptions = { type: cfg.type, eta: cfg.eta, variance: cfg.variance, clipPredX0: cfg.clipPredX0 };
  const plan = respacedTimesteps(m.schedule.T, cfg.steps);
  // Iteration i adds draw i + 1 when its σ > 0. A step's noise is drawn right after the previous step was queued, so
  // on an asynchronous backend (webgpu) the CPU draws it while the device computes.
  const noiseAt = (i: number) => {
    const p = plan[i];
    return p && stepSigma(m.schedule, p.t, p.tPrev, stepOpts) > 0 ? noiseFor(req.noiseKeys, i + 1, shape) : undefined;
  };
  let x = noiseFor(req.noiseKeys, 0, shape);
  let noise = noiseAt(0);
  try {
    for (let i = 0; i < plan.length; i++) {
      const { t, tPrev } = plan[i]!;
      const next = tf.tidy(() => {
        const eps = guidedEps(m, x, t, cond, y, cfg.guidanceScale);
        return step(m.schedule, { modelOutput: eps, t, tPrev, sample: x, noise }, stepOpts).prevSample;
      });
      tf.dispose([x, noise].filter((v): v is tf.Tensor4D => v !== undefined));
      x = next;
      noise = noiseAt(i + 1);
      await opts.onStep?.(i + 1, plan.length);
    }
    return (await x.data()) as Float32Array;
  } finally {
    tf.dispose([x, cond, y, ...(noise ? [noise] : [])]);
  }
}
