import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { registerConvGradKernels } from './conv-grad-kernels.ts';

type Pad = 'same' | 'valid';
interface Case {
  name: string;
  given: {
    size: [number, number];
    batch: number;
    ci: number;
    co: number;
    k: [number, number];
    stride: number;
    pad: Pad;
  };
}

const conv: Case[] = [];
for (const stride of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    for (const size of [
      [8, 8],
      [7, 9],
    ] as [number, number][]) {
      for (const k of [
        [3, 3],
        [1, 1],
        [4, 3],
      ] as [number, number][]) {
        conv.push({
          name: `${size.join('x')} k${k.join('x')} s${stride} ${pad}`,
          given: { size, batch: 3, ci: 5, co: 4, k, stride, pad },
        });
      }
    }
  }
}

/** Gradients of <dy, conv(x, w)> with respect to x and w on the current backend, as plain arrays. */
async function convGrads(c: Case['given'], depthwise: boolean, seed: number): Promise<Float32Array[]> {
  const [h, w] = c.size;
  const mult = 2;
  const wShape: [number, number, number, number] = depthwise ? [...c.k, c.ci, mult] : [...c.k, c.ci, c.co];
  const xs = tf.tensor4d(normals({ seed, a: 0, b: 0, purpose: 0 }, c.batch * h * w * c.ci), [c.batch, h, w, c.ci]);
  const ws = tf.tensor4d(
    normals(
      { seed, a: 1, b: 0, purpose: 0 },
      wShape.reduce((p, q) => p * q),
    ),
    wShape,
  );
  const f = (x: tf.Tensor4D, k: tf.Tensor4D) =>
    depthwise ? tf.depthwiseConv2d(x, k, c.stride, c.pad) : tf.conv2d(x, k, c.stride, c.pad);
  const outShape = tf.tidy(() => f(xs, ws).shape);
  const dy = tf.tensor(
    normals(
      { seed, a: 2, b: 0, purpose: 0 },
      outShape.reduce((p, q) => p * q),
    ),
    outShape,
  );
  const grads = tf.grads((x: tf.Tensor, k: tf.Tensor) =>
    f(x as tf.Tensor4D, k as tf.Tensor4D)
      .mul(dy)
      .sum(),
  );
  const [gx, gw] = grads([xs, ws]);
  const out = [(await gx!.data()) as Float32Array, (await gw!.data()) as Float32Array];
  tf.dispose([xs, ws, dy, gx!, gw!]);
  return out;
}

function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

async function compare(c: Case['given'], depthwise: boolean): Promise<number[]> {
  await tf.setBackend('cpu');
  const want = await convGrads(c, depthwise, 11);
  await tf.setBackend('wasm');
  const got = await convGrads(c, depthwise, 11);
  expect(got[0]!.length).toBe(want[0]!.length);
  expect(got[1]!.length).toBe(want[1]!.length);
  return [relativeError(got[0]!, want[0]!), relativeError(got[1]!, want[1]!)];
}

describe('conv gradient kernels on wasm, against the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerConvGradKernels('wasm');
  });

  it.each(conv)('conv2d $name', async ({ given }) => {
    const [dx, dw] = await compare(given, false);
    expect(dx).toBeLessThanOrEqual(1e-4);
    expect(dw).toBeLessThanOrEqual(1e-4);
  });

  it.each(conv.filter((c) => c.given.k[0] !== 4))('depthwise $name', async ({ given }) => {
    const [dx, dw] = await compare(given, true);
    expect(dx).toBeLessThanOrEqual(1e-4);
    expect(dw).toBeLessThanOrEqual(1e-4);
  });

  it('leaves no intermediate tensors behind', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    // The kernels allocate through the backend directly, out of the engine's sight: count the backend's buffers too.
    const buffersBefore = tf.backend().numDataIds();
    for (const c of conv.filter((c) => c.given.stride === 2)) {
      await convGrads(c.given, false, 3);
      await convGrads(c.given, true, 3);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });
});
