import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { groupNorm } from './group-norm.ts';

/** The textbook composite, differentiated automatically: the reference. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, silu: boolean): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const xg = x.reshape([b, h * w, groups, c / groups]);
  const { mean, variance } = tf.moments(xg, [1, 3], true);
  const y = xg.sub(mean).div(variance.add(1e-5).sqrt()).reshape([b, h, w, c]).mul(gamma).add(beta);
  return silu ? y.mul(tf.sigmoid(y)) : y;
}

const t = (seed: number, shape: number[], scale = 1, shift = 0) =>
  tf.tensor(
    normals(
      { seed, a: 0, b: 0, purpose: 0 },
      shape.reduce((p, q) => p * q, 1),
    ).map((v) => v * scale + shift),
    shape,
  );

describe.each(['cpu', 'wasm'])('groupNorm on %s', (backend) => {
  it.each([
    { name: 'GroupNorm', given: { silu: false, groups: 4, shape: [2, 5, 3, 8] } },
    { name: 'GroupNorm + SiLU', given: { silu: true, groups: 4, shape: [2, 5, 3, 8] } },
    { name: 'one group per channel', given: { silu: true, groups: 6, shape: [1, 4, 4, 6] } },
  ])('$name: values and gradients match automatic differentiation', async ({ given }) => {
    await tf.setBackend(backend);
    const c = given.shape[3]!;
    const x = t(1, given.shape, 2, 0.5) as tf.Tensor4D;
    const gamma = t(2, [c], 0.5, 1) as tf.Tensor1D;
    const beta = t(3, [c], 0.3) as tf.Tensor1D;
    const dz = t(4, given.shape);
    const f = (impl: typeof reference) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      impl(a as tf.Tensor4D, g, b, given.groups, given.silu)
        .mul(dz)
        .sum();
    const ours = (a: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor, groups: number, silu: boolean) =>
      groupNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, { groups, epsilon: 1e-5, silu });
    const want = [
      await f(reference)(x, gamma, beta).data(),
      ...(await Promise.all(
        tf
          .grads(f(reference))([x, gamma, beta])
          .map((g) => g.data()),
      )),
    ];
    const got = [
      await f(ours)(x, gamma, beta).data(),
      ...(await Promise.all(
        tf
          .grads(f(ours))([x, gamma, beta])
          .map((g) => g.data()),
      )),
    ];
    got.forEach((g, i) => {
      const w = want[i]!;
      const scale = Math.max(...Array.from(w, Math.abs));
      const err = Math.max(...Array.from(w, (v, j) => Math.abs(g[j]! - v)));
      expect(err / scale).toBeLessThan(1e-4);
    });
  });
});
