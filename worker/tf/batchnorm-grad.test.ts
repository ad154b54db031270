import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerBroadcastBatchNormGradient } from './batchnorm-grad.ts';

/** Gradients of a weighted sum of a training-mode batch norm with respect to its input, scale and offset. */
function gradients(): Float32Array[] {
  const x = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 1);
  const gamma = tf.randomNormal([5], 1, 0.1, 'float32', 2);
  const beta = tf.randomNormal([5], 0, 0.1, 'float32', 3);
  const w = tf.randomNormal([3, 4, 4, 5], 0, 1, 'float32', 4);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    return tf.batchNorm(a, mean, variance, b, g, 1e-3).mul(w).sum();
  };
  return tf
    .grads(f)([x, gamma, beta])
    .map((t) => t.dataSync() as Float32Array);
}

describe('registerBroadcastBatchNormGradient', () => {
  it('gives the same gradients as tfjs-core through input, batch statistics, scale and offset', () => {
    const before = gradients();
    const stock = tf.getGradient(tf.FusedBatchNorm)?.gradFunc;
    registerBroadcastBatchNormGradient();
    expect(tf.getGradient(tf.FusedBatchNorm)?.gradFunc).not.toBe(stock);
    const after = gradients();
    for (let k = 0; k < before.length; k++) {
      expect(after[k]!.length).toBe(before[k]!.length);
      for (let i = 0; i < before[k]!.length; i++) expect(after[k]![i]).toBeCloseTo(before[k]![i]!, 4);
    }
  });
});
