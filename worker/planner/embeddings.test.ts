import { describe, expect, it } from 'vitest';
import { identityEmbeddings, planEmbeddings } from './embeddings.ts';
import { initialAnchors } from './tammes.ts';

const d = 16;
const anchors = initialAnchors(6, d, 11);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
};

describe('Eq. 9 embeddings', () => {
  it.each([
    { name: '[0.7, 0.9] (the default)', given: { lb: 0.7, ub: 0.9 } },
    { name: '[0.5, 0.7]', given: { lb: 0.5, ub: 0.7 } },
    { name: 'a wide cone [-0.2, 0.95]', given: { lb: -0.2, ub: 0.95 } },
  ])('lie on the sphere, inside the cone of their anchor: $name', ({ given }) => {
    const m = 200;
    const cfg = { seed: 3, perIdentity: m, ...given };
    for (let i = 0; i < 3; i++) {
      const w = anchors.subarray(i * d, (i + 1) * d);
      const y = identityEmbeddings(w, i, cfg);
      const cosines: number[] = [];
      for (let j = 0; j < m; j++) {
        const row = y.subarray(j * d, (j + 1) * d);
        expect(Math.sqrt(dot(row, row))).toBeCloseTo(1, 5);
        cosines.push(dot(row, w));
      }
      expect(Math.min(...cosines)).toBeGreaterThanOrEqual(given.lb - 1e-6);
      expect(Math.max(...cosines)).toBeLessThanOrEqual(given.ub + 1e-6);
      // Uniform in [lb, ub]: mean in the middle (standard error (ub − lb)/√(12·200) ≈ 0.004–0.02), ends reached.
      const mean = cosines.reduce((a, b) => a + b) / m;
      expect(Math.abs(mean - (given.lb + given.ub) / 2)).toBeLessThan(0.06 * (given.ub - given.lb) + 0.01);
      expect(Math.min(...cosines) - given.lb).toBeLessThan(0.05 * (given.ub - given.lb));
    }
  });

  it('spread in all directions around the anchor (the orthogonal parts average out)', () => {
    const m = 400;
    const w = anchors.subarray(0, d);
    const y = identityEmbeddings(w, 0, { seed: 1, perIdentity: m, lb: 0.7, ub: 0.7 });
    const mean = new Float64Array(d);
    for (let j = 0; j < m; j++) for (let k = 0; k < d; k++) mean[k]! += y[j * d + k]! / m;
    // Mean of y = 0.7·w + √0.51·(mean of v) with |mean of v| ≈ 1/√m.
    for (let k = 0; k < d; k++) expect(Math.abs(mean[k]! - 0.7 * w[k]!)).toBeLessThan(0.15);
  });

  it('depend only on (seed, identity, j): any shard computes the same rows', () => {
    const cfg = { seed: 5, perIdentity: 4, lb: 0.7, ub: 0.9 };
    const all = planEmbeddings(anchors, d, { start: 0, end: 6 }, cfg);
    const shard = planEmbeddings(anchors, d, { start: 2, end: 5 }, cfg);
    expect([...shard]).toEqual([...all.subarray(2 * 4 * d, 5 * 4 * d)]);
    expect([...planEmbeddings(anchors, d, { start: 2, end: 5 }, { ...cfg, seed: 6 })]).not.toEqual([...shard]);
  });
});
