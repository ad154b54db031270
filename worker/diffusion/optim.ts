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
 * (it matters for the largest models wasm's 4 GB heap can hold; 112 px training does not fit even so, see
 * bench/RESULTS.md).
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
  // A clipping factor folds into the moments' coefficients: no clipped copy of the gradient is ever made.
  const scale = opts.gradScale;
  const c1 = scale ? tf.tidy(() => scale.mul(1 - cfg.beta1)) : undefined;
  const c2 = scale ? tf.tidy(() => scale.square().mul(1 - cfg.beta2)) : undefined;
  const m: tf.Tensor[] = [];
  const v: tf.Tensor[] = [];
  const next = params.map((p, i) => {
    const g = grads[i]!;
    const gm = pipe(g, (x) => x.mul(c1 ?? 1 - cfg.beta1));
    const mi = pipe(
      slots.m[i]!,
      (x) => x.mul(cfg.beta1),
      (x) => x.add(gm),
    );
    gm.dispose();
    release(slots.m[i]!);
    const gv = pipe(
      g,
      (x) => x.square(),
      (x) => x.mul(c2 ?? 1 - cfg.beta2),
    );
    release(g);
    const vi = pipe(
      slots.v[i]!,
      (x) => x.mul(cfg.beta2),
      (x) => x.add(gv),
    );
    gv.dispose();
    release(slots.v[i]!);
    m.push(mi);
    v.push(vi);
    const update = pipe(
      vi,
      (x) => x.div(bc2),
      (x) => x.sqrt(),
      (x) => x.add(cfg.epsilon),
      (x) => mi.div(x),
      (x) => x.mul(lr / bc1),
    );
    const pi = pipe(
      p,
      (x) => (cfg.weightDecay > 0 ? x.mul(1 - lr * cfg.weightDecay) : x.clone()),
      (x) => x.sub(update),
    );
    update.dispose();
    release(p);
    return pi;
  });
  tf.dispose([c1, c2].filter((c): c is tf.Tensor => c !== undefined));
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
    const share = pipe(params[i]!, (x) => x.mul(1 - decay));
    const next = pipe(
      e,
      (x) => x.mul(decay),
      (x) => x.add(share),
    );
    share.dispose();
    if (opts.consume) e.dispose();
    return next;
  });
}

/**
 * Applies single-op steps to x, releasing each intermediate as soon as the next exists (x itself is kept). Unlike one
 * tf.tidy around the chain, which holds every intermediate to its end, this holds at most two parameter-sized tensors
 * at a time: for a 76M-parameter model, 600 MB instead of two gigabytes of wasm heap.
 */
function pipe(x: tf.Tensor, ...steps: ((t: tf.Tensor) => tf.Tensor)[]): tf.Tensor {
  let current = x;
  for (const f of steps) {
    const next = f(current);
    if (current !== x) current.dispose();
    current = next;
  }
  return current;
}
