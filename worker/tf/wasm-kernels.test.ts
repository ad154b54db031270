import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { copyBox, registerWasmKernels, restoreWasmKernels } from './wasm-kernels.ts';

const values = (seed: number, shape: number[]) =>
  normals(
    { seed, a: 0, b: 0, purpose: 0 },
    shape.reduce((a, b) => a * b, 1),
  );

/** f on the cpu backend and on wasm with the replacements, as arrays. */
async function both(f: () => tf.Tensor | tf.Tensor[]): Promise<{ want: Float32Array[]; got: Float32Array[] }> {
  const run = async () => {
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(list);
    return data;
  };
  await tf.setBackend('cpu');
  const want = await run();
  await tf.setBackend('wasm');
  const got = await run();
  return { want, got };
}

function maxRelative(got: Float32Array, want: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(want, Math.abs));
  return Math.max(0, ...Array.from(want, (w, i) => Math.abs(got[i]! - w))) / scale;
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmKernels();
});
afterAll(() => restoreWasmKernels());

describe('copyBox', () => {
  it('copies a 3-d box in row-major order', () => {
    const src = Float32Array.from({ length: 24 }, (_, i) => i); // shape [2, 3, 4]
    const out = new Float32Array(4);
    copyBox(src, [2, 3, 4], [1, 1, 1], [1, 2, 2], out);
    expect([...out]).toEqual([17, 18, 21, 22]);
  });
});

describe('Slice and SplitV on wasm', () => {
  it.each([
    { name: '1-d contiguous', given: { shape: [50], begin: [7], size: [20] } },
    { name: '2-d rows', given: { shape: [6, 5], begin: [2, 0], size: [3, -1] } },
    { name: '3-d inner box', given: { shape: [4, 5, 6], begin: [1, 2, 3], size: [2, 2, 3] } },
    { name: '4-d channel slice', given: { shape: [2, 3, 3, 9], begin: [0, 0, 0, 3], size: [-1, -1, -1, 3] } },
  ])('slice: $name', async ({ given }) => {
    const x = () => tf.tensor(values(1, given.shape), given.shape);
    const { want, got } = await both(() => tf.slice(x(), given.begin, given.size));
    expect(got[0]).toEqual(want[0]);
  });

  it.each([
    { name: 'a flat vector into uneven parts', given: { shape: [40], sizes: [3, 17, 20], axis: 0 } },
    { name: 'channels', given: { shape: [2, 4, 9], sizes: [2, 3, 4], axis: 2 } },
    { name: 'rows', given: { shape: [6, 5], sizes: [1, 5], axis: 0 } },
  ])('splitV: $name', async ({ given }) => {
    const { want, got } = await both(() =>
      tf.split(tf.tensor(values(2, given.shape), given.shape), given.sizes, given.axis),
    );
    expect(got).toEqual(want);
  });
});

describe('Identity on wasm', () => {
  it('clones by reference: the clone outlives the original', async () => {
    await tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const y = x.clone();
    x.dispose();
    expect([...(await y.data())]).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.backend().numDataIds()).toBe(before);
  });
});

describe('BatchMatMul on wasm', () => {
  const cases = [];
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    for (const [label, batchA, batchB, m, k, n] of [
      ['one product', [], [], 40, 24, 32],
      ['batch × one matrix', [3], [], 20, 16, 12],
      ['one matrix × batch', [], [3], 20, 16, 12],
      ['batch × batch, looped', [2, 3], [2, 3], 40, 32, 48],
      ['batch × batch, small', [4], [4], 5, 3, 4],
    ] as const) {
      cases.push({ name: `${label}, transposeA=${ta}, transposeB=${tb}`, given: { ta, tb, batchA, batchB, m, k, n } });
    }
  }
  it.each(cases)('$name', async ({ given: g }) => {
    const aShape = [...g.batchA, ...(g.ta ? [g.k, g.m] : [g.m, g.k])];
    const bShape = [...g.batchB, ...(g.tb ? [g.n, g.k] : [g.k, g.n])];
    const { want, got } = await both(() =>
      tf.matMul(tf.tensor(values(3, aShape), aShape), tf.tensor(values(4, bShape), bShape), g.ta, g.tb),
    );
    expect(got[0]!.length).toBe(want[0]!.length);
    expect(maxRelative(got[0]!, want[0]!)).toBeLessThan(1e-5);
  });

  it('releases every intermediate buffer', async () => {
    await tf.setBackend('wasm');
    const before = tf.backend().numDataIds();
    const a = tf.tensor(values(3, [2, 3, 40, 32]), [2, 3, 40, 32]);
    const b = tf.tensor(values(4, [2, 3, 48, 32]), [2, 3, 48, 32]);
    tf.tidy(() => {
      tf.matMul(a, b, false, true);
      tf.matMul(a.reshape([6, 40, 32]), b.slice([0, 0, 0, 0], [1, 1, 48, 32]).reshape([48, 32]), false, true);
    });
    tf.dispose([a, b]);
    expect(tf.backend().numDataIds()).toBe(before);
  });
});
