/**
 * AdamW (Loshchilov & Hutter 2019, as torch.optim.AdamW), global-norm gradient clipping and the EMA of the weights,
 * as pure functions from tensors to new tensors. Step k counts from 1.
 *
 *   g ← g·min(1, c / (‖g‖₂ + 1e-6))                    clipping over all parameters at once (c = 0: off)
 *   η_k = η·min(1, k / warmup)                          linear warm-up (warmup = 0: none)
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 *   θ ← θ − η_k·( m/(1 − β₁ᵏ) / (√(v/(1 − β₂ᵏ)) + ε) + λθ )
 *   θ_EMA ← d·θ_EMA + (1 − d)·θ
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from './config.ts';

export type OptimizerConfig = Pick<
  TrainingConfig,
  'learningRate' | 'warmupSteps' | 'weightDecay' | 'beta1' | 'beta2' | 'epsilon' | 'gradientClipNorm'
>;

export function learningRateAt(cfg: OptimizerConfig, step: number): number {
  return cfg.warmupSteps > 0 ? cfg.learningRate * Math.min(1, step / cfg.warmupSteps) : cfg.learningRate;
}

/** ‖g‖₂ over all tensors, and the clipped gradients (new tensors; the inputs are not disposed). */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = tf.addN(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar;
    if (maxNorm <= 0) return { grads: grads.map((g) => g.clone()), norm };
    const factor = tf.minimum(1, tf.div(maxNorm, norm.add(1e-6)));
    return { grads: grads.map((g) => g.mul(factor)), norm };
  });
}

/** ‖g‖₂ over all tensors and the factor min(1, c / (‖g‖ + 1e-6)) that clips them (1 when c = 0). */
export function clipFactor(grads: tf.Tensor[], maxNorm: number): { norm: tf.Scalar; factor: tf.Scalar } {
  return tf.tidy(() => {
    const norm = tf.addN(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar;
    const factor = (maxNorm > 0 ? tf.minimum(1, tf.div(maxNorm, norm.add(1e-6))) : tf.scalar(1)) as tf.Scalar;
    return { norm, factor };
  });
}

export interface AdamSlots {
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/**
 * One AdamW update at step k (≥ 1), of the gradients times `gradScale` when given (clipping). Returns new parameters
 * and slots. Each new tensor is made in its own small scope,
 * so temporaries die at once: with `consume`, each input (parameter, gradient, moment) is also released as soon as its
 * replacement exists. For a flat θ that bounds the update's peak memory at about six copies of θ instead of a dozen
 * (the difference between fitting and not fitting a 112 px model in wasm's 4 GB heap).
 */
export function adamwUpdate(
  cfg: OptimizerConfig,
  step: number,
  params: tf.Tensor[],
  grads: tf.Tensor[],
  slots: AdamSlots,
  opts: { consume?: boolean; gradScale?: tf.Scalar } = {},
): { params: tf.Tensor[]; slots: AdamSlots } {
  const lr = learningRateAt(cfg, step);
  const bc1 = 1 - cfg.beta1 ** step;
  const bc2 = 1 - cfg.beta2 ** step;
  const release = (t: tf.Tensor) => {
    if (opts.consume) t.dispose();
  };
  const m: tf.Tensor[] = [];
  const v: tf.Tensor[] = [];
  const next = params.map((p, i) => {
    const g = grads[i]!;
    // A clipping factor folds into the moments' coefficients: no clipped copy of the gradient is ever made.
    const scale = opts.gradScale;
    const mi = tf.tidy(() =>
      slots.m[i]!.mul(cfg.beta1).add(scale ? g.mul(scale.mul(1 - cfg.beta1)) : g.mul(1 - cfg.beta1)),
    );
    release(slots.m[i]!);
    const vi = tf.tidy(() =>
      slots.v[i]!.mul(cfg.beta2).add(
        scale ? g.square().mul(scale.square().mul(1 - cfg.beta2)) : g.square().mul(1 - cfg.beta2),
      ),
    );
    release(slots.v[i]!);
    release(g);
    m.push(mi);
    v.push(vi);
    const pi = tf.tidy(() => {
      const update = mi.div(vi.div(bc2).sqrt().add(cfg.epsilon)).mul(lr / bc1);
      const decayed = cfg.weightDecay > 0 ? p.mul(1 - lr * cfg.weightDecay) : p;
      return decayed.sub(update);
    });
    release(p);
    return pi;
  });
  return { params: next, slots: { m, v } };
}

/** θ_EMA ← d·θ_EMA + (1 − d)·θ. New tensors; with `consume`, each old average is released once replaced. */
export function emaUpdate(
  ema: tf.Tensor[],
  params: tf.Tensor[],
  decay: number,
  opts: { consume?: boolean } = {},
): tf.Tensor[] {
  return ema.map((e, i) => {
    const next = tf.tidy(() => e.mul(decay).add(params[i]!.mul(1 - decay)));
    if (opts.consume) e.dispose();
    return next;
  });
}
