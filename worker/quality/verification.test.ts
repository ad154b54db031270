import { describe, expect, it } from 'vitest';
import { ScoreError, separability, verificationAccuracy } from './verification.ts';

const range = (n: number, lo: number, hi: number) =>
  Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

describe('separability', () => {
  it('has no errors when every genuine score beats every impostor score', () => {
    const s = separability(range(100, 0.6, 0.9), range(100, -0.2, 0.4));
    expect(s.eer).toBe(0);
    expect(s.fnmrAtFmr['0.001']).toBe(0);
    expect(s.genuinePairs).toBe(100);
  });

  it('has an EER of one half and d′ of 0 when the two sets are the same', () => {
    const s = separability(range(101, 0, 1), range(101, 0, 1));
    expect(s.eer).toBeCloseTo(0.5, 1);
    expect(s.dPrime).toBeCloseTo(0, 9);
  });

  it('computes d′ from the means and variances', () => {
    // Genuine {1, 3}: mean 2, variance 1. Impostor {-1, 1}: mean 0, variance 1. d′ = 2 / √1.
    expect(separability([1, 3], [-1, 1]).dPrime).toBeCloseTo(2, 12);
  });

  it('counts genuine scores at or below the threshold that keeps false matches within the FMR', () => {
    // 1000 impostors: FMR 1e-3 lets the single highest (0.5) pass, so the threshold is the next one, 0.4.
    const impostor = [...Array.from({ length: 998 }, () => 0), 0.4, 0.5];
    const s = separability([0.3, 0.45, 0.6, 0.9], impostor, [1e-3]);
    expect(s.fnmrAtFmr['0.001']).toBe(0.25);
  });

  it('rejects empty score sets', () => {
    expect(() => separability([], [0.1])).toThrow(ScoreError);
  });
});

describe('verificationAccuracy', () => {
  it('is 1 for separable scores and finds a threshold between the classes', () => {
    const scores = Array.from({ length: 200 }, (_, k) => (k % 2 === 0 ? 0.7 + (k % 7) / 100 : 0.1 + (k % 5) / 100));
    const same = Uint8Array.from(scores, (_, k) => (k % 2 === 0 ? 1 : 0));
    const v = verificationAccuracy(scores, same);
    expect(v.accuracy).toBe(1);
    expect(v.threshold).toBeGreaterThan(0.14);
    expect(v.threshold).toBeLessThan(0.7);
  });

  it('is about one half when scores carry no information', () => {
    const scores = Array.from({ length: 400 }, (_, k) => Math.floor(k / 2) / 200);
    const same = Uint8Array.from(scores, (_, k) => k % 2);
    expect(verificationAccuracy(scores, same).accuracy).toBeLessThan(0.6);
  });
});
