import { describe, expect, it } from 'vitest';
import { PairSamplingError, samplePairs } from './pairs.ts';

const labels = [0, 0, 0, 1, 1, 2, 3, 3, 3, 3];

describe('samplePairs', () => {
  it('draws genuine pairs of one identity and impostor pairs of two, interleaved', () => {
    const p = samplePairs(labels, 200, 5);
    expect(p.a.length).toBe(400);
    for (let k = 0; k < 400; k++) {
      expect(p.same[k]).toBe(k % 2 === 0 ? 1 : 0);
      expect(p.a[k]).not.toBe(p.b[k]);
      expect(labels[p.a[k]!] === labels[p.b[k]!]).toBe(p.same[k] === 1);
    }
  });

  it('is a function of labels, count and seed', () => {
    expect(samplePairs(labels, 50, 5)).toEqual(samplePairs(labels, 50, 5));
    expect(samplePairs(labels, 50, 5)).not.toEqual(samplePairs(labels, 50, 6));
  });

  it('covers every identity that can form a genuine pair', () => {
    const p = samplePairs(labels, 500, 1);
    const seen = new Set<number>();
    for (let k = 0; k < p.a.length; k += 2) seen.add(labels[p.a[k]!]!);
    expect(seen).toEqual(new Set([0, 1, 3]));
  });

  it.each([
    { name: 'no identity with two items', given: [0, 1, 2] },
    { name: 'a single identity', given: [4, 4, 4] },
  ])('refuses $name', ({ given }) => {
    expect(() => samplePairs(given, 10, 1)).toThrow(PairSamplingError);
  });
});
