import { describe, expect, it } from 'vitest';
import { defaultDiffusionConfig, makeSchedule, respacedTimesteps, wT } from './schedule.ts';

describe('linear schedule (DDPM)', () => {
  const s = makeSchedule(defaultDiffusionConfig());

  it.each([
    { name: 'β₁', given: () => s.betas[1], want: 1e-4 },
    { name: 'β_T', given: () => s.betas[1000], want: 0.02 },
    { name: 'β at the midpoint', given: () => s.betas[500], want: 1e-4 + (0.0199 * 499) / 999 },
    { name: 'ᾱ₀ (the clean image)', given: () => s.alphaBar[0], want: 1 },
    // DDPM's published linear schedule ends at √ᾱ_T ≈ 0.00635.
    { name: 'ᾱ_T', given: () => s.alphaBar[1000], want: 4.0358e-5 },
  ])('$name', ({ given, want }) => {
    expect(given()).toBeCloseTo(want, 8);
  });

  it('decreases ᾱ strictly and keeps α = 1 − β', () => {
    for (let t = 1; t <= 1000; t++) {
      expect(s.alphaBar[t]).toBeLessThan(s.alphaBar[t - 1]!);
      expect(s.alphas[t]! + s.betas[t]!).toBeCloseTo(1, 12);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(s)).toBe(true);
    expect(() => {
      (s as { T: number }).T = 5;
    }).toThrow();
  });
});

describe('cosine schedule (Nichol & Dhariwal)', () => {
  const T = 1000;
  const s = makeSchedule({ ...defaultDiffusionConfig(), schedule: 'cosine' });
  const f = (t: number) => Math.cos(((t / T + 0.008) / 1.008) * (Math.PI / 2)) ** 2;

  it('follows ᾱ(t) = f(t)/f(0) wherever β is not clipped', () => {
    for (const t of [1, 10, 250, 500, 750, 900]) expect(s.alphaBar[t]).toBeCloseTo(f(t) / f(0), 6);
  });

  it('clips β at 0.999 and reaches ᾱ_T ≈ 0', () => {
    expect(Math.max(...s.betas)).toBeLessThanOrEqual(0.999);
    expect(s.alphaBar[T]).toBeLessThan(1e-6);
  });
});

describe('wT, the inner-product weight of Eq. 3', () => {
  it.each([
    { name: 't = 0', given: 0, want: 0.25 },
    { name: 't = T/2', given: 500, want: 0.18877033 },
    { name: 't = T', given: 1000, want: 0.13447071 },
  ])('$name', ({ given, want }) => {
    expect(wT(given, 1000)).toBeCloseTo(want, 7);
  });
});

describe('respacedTimesteps', () => {
  it.each([
    {
      name: 'five steps',
      given: [1000, 5],
      want: [
        { t: 1000, tPrev: 750 },
        { t: 750, tPrev: 501 },
        { t: 501, tPrev: 251 },
        { t: 251, tPrev: 1 },
        { t: 1, tPrev: 0 },
      ],
    },
    { name: 'one step', given: [1000, 1], want: [{ t: 1000, tPrev: 0 }] },
  ])('$name', ({ given, want }) => {
    expect(respacedTimesteps(given[0]!, given[1]!)).toEqual(want);
  });

  it('walks every step of the chain when steps = T (exact DDPM)', () => {
    const plan = respacedTimesteps(1000, 1000);
    expect(plan).toHaveLength(1000);
    plan.forEach((p, i) => {
      expect(p).toEqual({ t: 1000 - i, tPrev: 999 - i });
    });
  });

  it('rejects impossible step counts', () => {
    expect(() => respacedTimesteps(10, 11)).toThrow(RangeError);
    expect(() => respacedTimesteps(10, 0)).toThrow(RangeError);
  });
});
