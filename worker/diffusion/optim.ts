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

export interface AdamSlots {
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/** One AdamW update at step k (≥ 1). Returns new parameters and slots; disposes nothing. */
export function adamwUpdate(
  cfg: OptimizerConfig,
  step: number,
  params: tf.Tensor[],
  grads: tf.Tensor[],
  slots: AdamSlots,
): { params: tf.Tensor[]; slots: AdamSlots } {
  return tf.tidy(() => {
    const lr = learningRateAt(cfg, step);
    const bc1 = 1 - cfg.beta1 ** step;
    const bc2 = 1 - cfg.beta2 ** step;
    const m: tf.Tensor[] = [];
    const v: tf.Tensor[] = [];
    const next = params.map((p, i) => {
      const g = grads[i]!;
      const mi = slots.m[i]!.mul(cfg.beta1).add(g.mul(1 - cfg.beta1));
      const vi = slots.v[i]!.mul(cfg.beta2).add(g.square().mul(1 - cfg.beta2));
      m.push(mi);
      v.push(vi);
      const update = mi.div(bc1).div(vi.div(bc2).sqrt().add(cfg.epsilon));
      const decayed = cfg.weightDecay > 0 ? p.mul(1 - lr * cfg.weightDecay) : p;
      return decayed.sub(update.mul(lr));
    });
    return { params: next, slots: { m, v } };
  });
}

/** θ_EMA ← d·θ_EMA + (1 − d)·θ. New tensors; disposes nothing. */
export function emaUpdate(ema: tf.Tensor[], params: tf.Tensor[], decay: number): tf.Tensor[] {
  return tf.tidy(() => ema.map((e, i) => e.mul(decay).add(params[i]!.mul(1 - decay))));
}
