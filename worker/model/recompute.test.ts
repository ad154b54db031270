import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { initParams, type Params } from './params.ts';
import { tinyConfig } from './presets.ts';
import { unetGradient } from './recompute.ts';
import { UNet } from './unet.ts';

const rand = (seed: number, shape: number[]) =>
  tf.tensor(
    normals(
      { seed, a: 0, b: 0, purpose: 0 },
      shape.reduce((a, b) => a * b, 1),
    ),
    shape,
  );

function maxRelative(
  got: Float32Array | Int32Array | Uint8Array,
  want: Float32Array | Int32Array | Uint8Array,
): number {
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  return Math.max(0, ...Array.from(want, (w, i) => Math.abs(got[i]! - w))) / scale;
}

describe('unetGradient (recomputation)', () => {
  it.each([
    { name: 'no dropout', given: { dropout: 0, resBlocks: 1 } },
    { name: 'seeded dropout, two blocks per level', given: { dropout: 0.3, resBlocks: 2 } },
  ])('equals automatic differentiation of the whole network: $name', async ({ given }) => {
    const base = tinyConfig(8, 8);
    const unet = new UNet({ ...base, unet: { ...base.unet, ...given } });
    const P = initParams(unet.specs, { seed: 1, zeroResidualOutputs: false });
    const x = rand(2, [2, 8, 8, 3]) as tf.Tensor4D;
    const inputs = { x, t: tf.tensor1d([30, 600]), cond: rand(3, [2, 12]) as tf.Tensor2D };
    const w = rand(4, [2, 8, 8, 3]);
    const opts = { dropoutSeed: (block: number) => 100 + block };
    // Reads x directly too, as the guidance objective does.
    const lossOf = (eps: tf.Tensor4D, xIn: tf.Tensor4D) =>
      eps.square().mul(w).sum().add(eps.mul(xIn).sum()) as tf.Scalar;

    const names = unet.specs.map((s) => s.name);
    const want = tf.grads((xIn: tf.Tensor, ...ps: tf.Tensor[]) => {
      const local: Params = {};
      names.forEach((n, i) => {
        local[n] = ps[i]!;
      });
      return lossOf(unet.apply(local, { ...inputs, x: xIn as tf.Tensor4D }, opts), xIn as tf.Tensor4D);
    })([x, ...names.map((n) => P[n]!)]);

    const before = tf.memory().numTensors;
    const got = unetGradient(unet, P, inputs, { lossOf, wrtInput: true, wrtParams: true }, opts);
    expect(tf.memory().numTensors - before).toBe(3 + names.length); // eps, loss, dx and one gradient per parameter
    expect(maxRelative(await got.dx!.data(), await want[0]!.data())).toBeLessThan(1e-4);
    for (const [i, n] of names.entries()) {
      expect(maxRelative(await got.dParams![n]!.data(), await want[i + 1]!.data()), n).toBeLessThan(1e-4);
    }
    const eps = await unet.apply(P, inputs, opts).data();
    expect(maxRelative(await got.eps.data(), eps)).toBeLessThan(1e-6);
  });

  it('differentiates only what is asked', () => {
    const unet = new UNet(tinyConfig(8, 8));
    const P = initParams(unet.specs, { seed: 1, zeroResidualOutputs: false });
    const inputs = {
      x: rand(2, [1, 8, 8, 3]) as tf.Tensor4D,
      t: tf.tensor1d([30]),
      cond: rand(3, [1, 12]) as tf.Tensor2D,
    };
    const onlyX = unetGradient(unet, P, inputs, {
      lossOf: (e, x) => e.mul(x).sum() as tf.Scalar,
      wrtInput: true,
      wrtParams: false,
    });
    expect(onlyX.dParams).toBeUndefined();
    expect(onlyX.dx?.shape).toEqual([1, 8, 8, 3]);
    const onlyParams = unetGradient(unet, P, inputs, {
      lossOf: (e) => e.sum() as tf.Scalar,
      wrtInput: false,
      wrtParams: true,
    });
    expect(onlyParams.dx).toBeUndefined();
    expect(Object.keys(onlyParams.dParams!).sort()).toEqual(unet.specs.map((s) => s.name).sort());
  });
});
