import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { resizeImages, resizeMatrix, toEncoderInput } from './preprocess.ts';
import { randomCnnEncoder } from './random-cnn.ts';

const image = (b: number, s: number, seed = 1) =>
  tf.tensor4d(normals({ seed, a: 0, b: 0, purpose: 0 }, b * s * s * 3), [b, s, s, 3]);

describe('resizeMatrix', () => {
  it.each([
    { name: 'upsample', given: [5, 12] },
    { name: 'downsample', given: [12, 5] },
    { name: 'same size', given: [7, 7] },
  ])('$name rows sum to 1', ({ given }) => {
    const [n, o] = given as [number, number];
    const m = resizeMatrix(n, o);
    for (let r = 0; r < o; r++) {
      const sum = m.slice(r * n, (r + 1) * n).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it('is the identity at the same size', () => {
    expect([...resizeMatrix(3, 3)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('resizeImages', () => {
  it('upsamples like tf.image.resizeBilinear with half-pixel centres', async () => {
    const x = image(2, 6);
    const want = await tf.image.resizeBilinear(x, [14, 14], false, true).data();
    const got = await resizeImages(x, 14).data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
  });

  it('has the transpose of the resize as its gradient (forward and backward agree)', async () => {
    const x = image(1, 6);
    const g = image(1, 4, 2);
    const grad = tf.grad((v: tf.Tensor) =>
      resizeImages(v as tf.Tensor4D, 4)
        .mul(g)
        .sum(),
    )(x);
    // <g, R x R^T> = <R^T g R, x>: the gradient is R_h^T G R_w per channel.
    const r = tf.tensor2d(resizeMatrix(6, 4), [4, 6]);
    const want = tf.tidy(() => {
      const perChannel = tf.transpose(g.squeeze([0]), [2, 0, 1]) as tf.Tensor3D; // [C, 4, 4]
      const back = tf.matMul(
        tf.matMul(r.transpose().expandDims(0).tile([3, 1, 1]), perChannel),
        r.expandDims(0).tile([3, 1, 1]),
      );
      return tf.transpose(back, [1, 2, 0]).expandDims(0);
    });
    const [a, b] = [await grad.data(), await want.data()];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
  });
});

describe('toEncoderInput', () => {
  it.each([
    { name: 'RGB, mean 0.5, std 0.5 maps [-1, 1] back to itself', given: 'RGB' as const, want: [-1, 0, 1] },
    { name: 'BGR reverses the channels', given: 'BGR' as const, want: [1, 0, -1] },
  ])('$name', async ({ given, want }) => {
    const x = tf.tensor4d([-1, 0, 1], [1, 1, 1, 3]);
    const out = toEncoderInput(x, { inputSize: 1, channelOrder: given, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect([...(await out.data())]).toEqual(want);
  });
});

describe('randomCnnEncoder', () => {
  it('returns unit-length embeddings of the configured size, with a gradient to the image', async () => {
    const f = randomCnnEncoder({ seed: 3, inputSize: 12, embeddingSize: 10 });
    const x = image(3, 16);
    const y = f.embed(x);
    expect(y.shape).toEqual([3, 10]);
    const norms = await y.square().sum(1).sqrt().data();
    for (const n of norms) expect(n).toBeCloseTo(1, 5);
    const g = tf.grad((v: tf.Tensor) => f.embed(v as tf.Tensor4D).sum())(x);
    expect(await g.abs().max().data()).not.toEqual(new Float32Array([0]));
    f.dispose();
  });

  it('is the same function for the same seed and a different one for another seed', async () => {
    const x = image(2, 16);
    const [a, b, c] = [1, 1, 2].map((seed) => randomCnnEncoder({ seed }));
    expect([...(await a!.embed(x).data())]).toEqual([...(await b!.embed(x).data())]);
    expect([...(await a!.embed(x).data())]).not.toEqual([...(await c!.embed(x).data())]);
  });
});
