import { describe, expect, it } from 'vitest';
import { hash2, hashSeed, seededRng } from './random.ts';

describe('seededRng', () => {
  it('repeats its stream for the same seed and differs for another', () => {
    const a = Array.from({ length: 8 }, seededRng(42).next);
    const b = Array.from({ length: 8 }, seededRng(42).next);
    const c = Array.from({ length: 8 }, seededRng(43).next);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws uniform numbers in [0, 1) with a mean near 1/2', () => {
    const rng = seededRng(7);
    const xs = Array.from({ length: 20000 }, rng.next);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('draws standard normals', () => {
    const rng = seededRng(9);
    const xs = Array.from({ length: 20000 }, rng.normal);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });

  it('picks by weight', () => {
    const rng = seededRng(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10000; i++) counts[rng.pick(['a', 'b', 'c'] as const, [1, 3, 0])]++;
    expect(counts.c).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.6);
    expect(counts.b / counts.a).toBeLessThan(3.4);
  });
});

describe('hashSeed and hash2', () => {
  it.each([
    { name: 'order matters', a: [1, 2], b: [2, 1] },
    { name: 'length matters', a: [1], b: [1, 0] },
    { name: 'high bits matter', a: [2 ** 33 + 5], b: [5] },
  ])('$name', ({ a, b }) => {
    expect(hashSeed(...a)).not.toBe(hashSeed(...b));
  });

  it('is stable across calls and spreads values over [0, 1)', () => {
    expect(hash2(3, 4, 5)).toBe(hash2(3, 4, 5));
    const values = Array.from({ length: 1000 }, (_, i) => hash2(i, i * 7, 1));
    expect(new Set(values).size).toBe(1000);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  });
});
