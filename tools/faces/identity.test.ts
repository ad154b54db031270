import { describe, expect, it } from 'vitest';
import { HAIR_STYLES, identityFromSeed } from './identity.ts';

describe('identityFromSeed', () => {
  it('gives the same person for the same seed and another person for another seed', () => {
    expect(identityFromSeed(5)).toEqual(identityFromSeed(5));
    expect(identityFromSeed(5)).not.toEqual(identityFromSeed(6));
  });

  it('spreads identities over every hair style and a range of skin tones', () => {
    const ids = Array.from({ length: 400 }, (_, i) => identityFromSeed(i));
    expect(new Set(ids.map((id) => id.hairStyle))).toEqual(new Set(HAIR_STYLES));
    const light = ids.map((id) => id.skin[0] + id.skin[1] + id.skin[2]);
    expect(Math.max(...light) - Math.min(...light)).toBeGreaterThan(1.2);
  });

  it.each([
    { field: 'headWidth', lo: 0.42, hi: 0.5 },
    { field: 'eyeSpacing', lo: 0.155, hi: 0.215 },
    { field: 'noseLength', lo: 0.15, hi: 0.25 },
    { field: 'mouthWidth', lo: 0.1, hi: 0.17 },
  ] as const)('draws $field within [$lo, $hi]', ({ field, lo, hi }) => {
    for (let i = 0; i < 200; i++) {
      const v = identityFromSeed(i)[field];
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThanOrEqual(hi);
    }
  });
});
