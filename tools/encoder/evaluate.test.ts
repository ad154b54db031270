import { describe, expect, it } from 'vitest';
import { randomCnnEncoder } from '../../worker/encoder/index.ts';
import { evaluateVerification, renderPairConsistency } from './evaluate.ts';

describe('evaluateVerification', () => {
  it('scores the protocol’s pairs with an encoder and reports accuracy and separability', () => {
    const encoder = randomCnnEncoder({ seed: 2, inputSize: 16, embeddingSize: 16 });
    const r = evaluateVerification(encoder, {
      setSeed: 5,
      identities: 6,
      perIdentity: 2,
      pairs: 20,
      size: 16,
      pairSeed: 1,
    });
    expect(r.separability.genuinePairs).toBe(20);
    expect(r.separability.impostorPairs).toBe(20);
    expect(r.accuracy.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy.accuracy).toBeLessThanOrEqual(1);
    // Two different random pictures are never identical, so a genuine pair is never a perfect match.
    expect(r.separability.genuineMean).toBeLessThan(1);
  });
});

describe('renderPairConsistency', () => {
  it('is the mean cosine of two renders per identity, within [−1, 1]', () => {
    const encoder = randomCnnEncoder({ seed: 2, inputSize: 16, embeddingSize: 16 });
    const r = renderPairConsistency(encoder, 5, 4, 16);
    expect(r.mean).toBeGreaterThan(-1);
    expect(r.mean).toBeLessThan(1);
    expect(r.std).toBeGreaterThanOrEqual(0);
  });
});
