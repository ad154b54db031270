import { describe, expect, it } from 'vitest';
import { QualityInputError, qualityMetrics } from './measures.ts';
import { embeddings } from './vectors.ts';

/** Rows are basis vectors e_k (d = 4), possibly with an extra component on another axis. */
function rows(spec: [number, number, number][]): Float32Array {
  const out = new Float32Array(spec.length * 4);
  spec.forEach(([axis, other, weight], i) => {
    out[i * 4 + axis] = 1;
    if (weight) out[i * 4 + other] += weight;
  });
  return out;
}

const options = { neighbourThreshold: 0.3, pairs: 40, pairSeed: 2 };

describe('qualityMetrics', () => {
  it('scores an ideal set: tight, orthogonal identities', () => {
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const e = embeddings(rows(labels.map((l) => [l, 0, 0])), 4);
    const { metrics } = qualityMetrics({ embeddings: e, labels, conditioning: e }, options);
    expect(metrics).toMatchObject({ images: 9, identities: 3, labelFlipRate: 0 });
    expect(metrics.identityConsistency).toBeCloseTo(1, 6);
    expect(metrics.centroidConsistency).toBeCloseTo(1, 6);
    expect(metrics.intraClassDiversity).toBeCloseTo(0, 6);
    expect(metrics.interClass.nearestCosine.max).toBeCloseTo(0, 6);
    expect(metrics.interClass.shareAbove).toBe(0);
    expect(metrics.separability.eer).toBe(0);
    expect(metrics.verification.accuracy).toBe(1);
  });

  it('measures spread within an identity and closeness between identities', () => {
    // Identity 0 has images on e0 and e1 (cos 0 between them: diversity 1 − 0 = 1 for its one pair).
    const labels = [0, 0, 1, 1];
    const e = embeddings(
      rows([
        [0, 0, 0],
        [1, 0, 0],
        [2, 0, 0],
        [2, 0, 0],
      ]),
      4,
    );
    const { metrics } = qualityMetrics({ embeddings: e, labels }, options);
    expect(metrics.intraClassDiversity).toBeCloseTo(0.5, 6); // mean of 1 (identity 0) and 0 (identity 1)
    expect(metrics.identityConsistency).toBeNull();
  });

  it('counts an image nearer another identity as a label flip', () => {
    const labels = [0, 0, 0, 1, 1, 1];
    // The third image of identity 0 lies on identity 1's axis.
    const e = embeddings(
      rows([
        [0, 0, 0],
        [0, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ]),
      4,
    );
    const { metrics } = qualityMetrics({ embeddings: e, labels }, options);
    expect(metrics.labelFlipRate).toBeCloseTo(1 / 6, 6);
    expect(metrics.interClass.shareAbove).toBe(1);
  });

  it('measures identity consistency against the conditioning embeddings', () => {
    const labels = [0, 0, 1, 1];
    const e = embeddings(
      rows([
        [0, 0, 0],
        [0, 0, 0],
        [1, 0, 0],
        [1, 0, 0],
      ]),
      4,
    );
    // Conditioning at 60° from each image: cos = 0.5.
    const y = embeddings(
      rows([
        [0, 3, Math.sqrt(3)],
        [0, 3, Math.sqrt(3)],
        [1, 3, Math.sqrt(3)],
        [1, 3, Math.sqrt(3)],
      ]),
      4,
    );
    expect(qualityMetrics({ embeddings: e, labels, conditioning: y }, options).metrics.identityConsistency).toBeCloseTo(
      0.5,
      6,
    );
  });

  it.each([
    { name: 'label count differs', labels: [0, 1, 1], n: 4 },
    { name: 'one identity only', labels: [0, 0, 0, 0], n: 4 },
  ])('rejects input when the $name', ({ labels, n }) => {
    const e = embeddings(new Float32Array(n * 4).fill(1), 4);
    expect(() => qualityMetrics({ embeddings: e, labels }, options)).toThrow(QualityInputError);
  });
});
