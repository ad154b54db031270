import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultTammesConfig, initialAnchors, maxPairwiseCosine, solveTammes } from './tammes.ts';

beforeAll(async () => {
  await tf.setBackend('wasm');
});

const cfg = (over: Partial<ReturnType<typeof defaultTammesConfig>> = {}) => ({ ...defaultTammesConfig(), ...over });

function bruteForceMaxCosine(x: Float32Array, d: number): number {
  const n = x.length / d;
  let best = -Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += x[i * d + k]! * x[j * d + k]!;
      best = Math.max(best, dot);
    }
  }
  return best;
}

describe('solveTammes', () => {
  it.each([
    { name: '4 points on S² form a tetrahedron', given: { n: 4, d: 3 }, want: -1 / 3 },
    { name: '6 points on S² form an octahedron', given: { n: 6, d: 3 }, want: 0 },
    { name: '5 points in R⁴ form a simplex', given: { n: 5, d: 4 }, want: -1 / 4 },
  ])('finds the known optimum: $name', async ({ given, want }) => {
    const r = await solveTammes(given.n, given.d, 7, cfg({ steps: 300, temperature: 0.01 }));
    expect(r.maxCosine).toBeCloseTo(want, 2);
  });

  it('beats the random start by far', async () => {
    const r = await solveTammes(64, 8, 3, cfg({ steps: 100 }));
    expect(r.initialMaxCosine).toBeCloseTo(bruteForceMaxCosine(initialAnchors(64, 8, 3), 8), 5);
    expect(r.maxCosine).toBeLessThan(r.initialMaxCosine - 0.3);
    expect(r.maxCosine).toBeCloseTo(bruteForceMaxCosine(r.anchors, 8), 5);
  });

  it('returns unit vectors', async () => {
    const { anchors } = await solveTammes(20, 5, 1, cfg({ steps: 10 }));
    for (let i = 0; i < 20; i++) {
      const norm = Math.hypot(...anchors.subarray(i * 5, (i + 1) * 5));
      expect(norm).toBeCloseTo(1, 5);
    }
  });

  it('gives the same anchors whatever the block size', async () => {
    const small = await solveTammes(40, 6, 2, cfg({ steps: 30, blockSize: 7 }));
    const whole = await solveTammes(40, 6, 2, cfg({ steps: 30, blockSize: 64 }));
    const diff = small.anchors.reduce((m, v, i) => Math.max(m, Math.abs(v - whole.anchors[i]!)), 0);
    expect(diff).toBeLessThan(1e-4);
  });

  it('never materialises more than one block of cosines, and leaves no tensors behind', async () => {
    const n = 300;
    const d = 4;
    const blockSize = 32;
    let largest = 0;
    const kernels = tf.getKernelsForBackend('wasm');
    const originals = kernels.map((k) => k.kernelFunc);
    for (const k of kernels) {
      const f = k.kernelFunc;
      (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
        const out = f(args);
        for (const t of Array.isArray(out) ? out : [out])
          largest = Math.max(
            largest,
            t.shape.reduce((a, b) => a * b, 1),
          );
        return out;
      };
    }
    const before = tf.memory().numTensors;
    try {
      await solveTammes(n, d, 5, cfg({ steps: 3, blockSize }));
    } finally {
      kernels.forEach((k, i) => {
        (k as { kernelFunc: tf.KernelFunc }).kernelFunc = originals[i]!;
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    // N² = 90000 would be one full matrix; a block is B² = 1024 and X itself N·d = 1200.
    expect(largest).toBeLessThanOrEqual(Math.max(blockSize * blockSize, n * d));
  });
});

describe('maxPairwiseCosine', () => {
  it('agrees with brute force across uneven blocks', async () => {
    const x = initialAnchors(50, 5, 9);
    expect(await maxPairwiseCosine(x, 5, 7)).toBeCloseTo(bruteForceMaxCosine(x, 5), 5);
  });
});
