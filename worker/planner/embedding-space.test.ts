import { describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import {
  cholesky,
  embeddingSpaceBytes,
  embeddingSpaceFromBytes,
  fitEmbeddingSpace,
  mapScale,
  toEmbeddingSpace,
} from './embedding-space.ts';

const D = 32;

/** Unit rows of n × d normals (random directions on the sphere). */
function sphere(n: number, d: number, seed: number): Float32Array {
  const v = normals({ seed, a: 0, b: 0, purpose: 0 }, n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += v[r * d + i]! ** 2;
    for (let i = 0; i < d; i++) v[r * d + i]! /= Math.sqrt(s);
  }
  return v;
}

/** Embeddings like a small encoder's: a common direction plus variation in only `rank` of the d dimensions. */
function lowRankEmbeddings(n: number, rank: number, seed: number): Float32Array {
  const z = normals({ seed, a: 1, b: 0, purpose: 0 }, n * rank);
  const y = new Float32Array(n * D);
  for (let r = 0; r < n; r++) {
    y[r * D] = 2; // the shared component
    for (let k = 0; k < rank; k++) y[r * D + 1 + k] = z[r * rank + k]!;
    let s = 0;
    for (let i = 0; i < D; i++) s += y[r * D + i]! ** 2;
    for (let i = 0; i < D; i++) y[r * D + i]! /= Math.sqrt(s);
  }
  return y;
}

/** z with Lz = b, L lower-triangular d × d row-major. */
function forwardSolve(l: Float32Array, b: Float32Array): number[] {
  const z: number[] = [];
  for (let i = 0; i < D; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * D + k]! * z[k]!;
    z.push(s / l[i * D + i]!);
  }
  return z;
}

/** Mean over rows of `a` of the highest cosine to any row of `b` (unit rows). */
function nearestCosine(a: Float32Array, b: Float32Array): number {
  let total = 0;
  for (let i = 0; i < a.length / D; i++) {
    let best = -1;
    for (let j = 0; j < b.length / D; j++) {
      let c = 0;
      for (let k = 0; k < D; k++) c += a[i * D + k]! * b[j * D + k]!;
      best = Math.max(best, c);
    }
    total += best;
  }
  return total / (a.length / D);
}

describe('the data embedding space', () => {
  it('factors a covariance exactly', () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const l = cholesky(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += l[i * 3 + k]! * l[j * 3 + k]!;
        expect(s).toBeCloseTo(a[i * 3 + j]!, 12);
      }
    }
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });

  it('maps random directions onto the training embeddings, where plain sphere directions miss them', () => {
    const real = lowRankEmbeddings(2000, 4, 1);
    const space = fitEmbeddingSpace(real, D);
    const directions = sphere(200, D, 2);
    const mapped = toEmbeddingSpace(space, directions);
    for (let r = 0; r < 200; r++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += mapped[r * D + i]! ** 2;
      expect(Math.sqrt(s)).toBeCloseTo(1, 5);
    }
    const held = lowRankEmbeddings(200, 4, 3);
    const onData = nearestCosine(mapped, real);
    expect(nearestCosine(directions, real)).toBeLessThan(0.6);
    expect(onData).toBeGreaterThan(0.95);
    // As close to the training embeddings as fresh draws from the same distribution are.
    expect(onData).toBeGreaterThan(nearestCosine(held, real) - 0.02);
  });

  it('keeps distinct directions distinct: the map is one-to-one on the sphere', () => {
    // A mean far out relative to the spread: with the plain √d scale the origin would lie outside the ellipsoid
    // μ + √d·L·(ball), and w1 = c·w2 + (c−1)·v (v = (√d·L)⁻¹μ, c = (|v|²−1)/|w2+v|²) would land on w2's ray.
    const space = fitEmbeddingSpace(lowRankEmbeddings(2000, 4, 1), D);
    const v = forwardSolve(space.chol, space.mean).map((x) => x / Math.sqrt(D));
    const vNorm = Math.hypot(...v);
    expect(vNorm).toBeGreaterThan(1);
    const w2 = [...sphere(1, D, 6)];
    const c = (vNorm ** 2 - 1) / w2.reduce((s, x, i) => s + (x + v[i]!) ** 2, 0);
    const w1 = w2.map((x, i) => c * x + (c - 1) * v[i]!);
    expect(Math.hypot(...w1)).toBeCloseTo(1, 6);
    const [m1, m2] = [toEmbeddingSpace(space, Float32Array.from(w1)), toEmbeddingSpace(space, Float32Array.from(w2))];
    expect(m1.reduce((s, x, i) => s + x * m2[i]!, 0)).toBeLessThan(0.99);
    expect(mapScale(space)).toBeGreaterThan(Math.sqrt(D));
    expect(toEmbeddingSpace(space, Float32Array.from(w1))).toEqual(m1); // and deterministic
  });

  it('keeps the plain √d scale when the mean lies inside the spread', () => {
    const centred = lowRankEmbeddings(2000, 4, 1).map((x, i) => (i % D === 0 ? x - 0.85 : x));
    const space = fitEmbeddingSpace(centred, D);
    expect(mapScale(space)).toBe(Math.sqrt(D));
  });

  it('round-trips through its file form', () => {
    const space = fitEmbeddingSpace(lowRankEmbeddings(100, 3, 4), D);
    const back = embeddingSpaceFromBytes(embeddingSpaceBytes(space), D, space.count);
    expect(back).toEqual(space);
    expect(() => embeddingSpaceFromBytes(new Uint8Array(8), D, 1)).toThrow(RangeError);
  });
});
