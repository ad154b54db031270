import { describe, expect, it } from 'vitest';
import { type AttributeSource, AttributeSourceError, checkAttributeSource, drawAttributes } from './attributes.ts';

const names = ['age', 'yaw'];
const ranges: AttributeSource = {
  kind: 'ranges',
  ranges: [
    { name: 'yaw', min: -30, max: 30 },
    { name: 'age', min: 20, max: 60 },
    { name: 'roll', min: -5, max: 5 },
  ],
};
const pool: AttributeSource = {
  kind: 'pool',
  pool: { names: ['yaw', 'age'], values: new Float32Array([10, 30, -20, 45, 0, 70]) },
};

describe('drawAttributes', () => {
  it('draws uniformly inside the configured ranges, in the model order', () => {
    const draws = Array.from({ length: 500 }, (_, k) =>
      drawAttributes(ranges, names, { seed: 1, identity: 2, image: k }),
    );
    expect(Object.keys(draws[0]!)).toEqual(names);
    const ages = draws.map((a) => a.age!);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...ages)).toBeLessThanOrEqual(60);
    expect(Math.abs(ages.reduce((a, b) => a + b) / ages.length - 40)).toBeLessThan(2);
    expect(Math.max(...draws.map((a) => a.yaw!))).toBeGreaterThan(25);
  });

  it('draws whole rows of the pool, each row eventually', () => {
    const seen = new Set<string>();
    for (let k = 0; k < 60; k++)
      seen.add(JSON.stringify(drawAttributes(pool, names, { seed: 1, identity: 0, image: k })));
    expect([...seen].sort()).toEqual(
      [
        { age: 30, yaw: 10 },
        { age: 45, yaw: -20 },
        { age: 70, yaw: 0 },
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
  });

  it('is a pure function of (seed, identity, image)', () => {
    const a = drawAttributes(ranges, names, { seed: 3, identity: 4, image: 5 });
    expect(drawAttributes(ranges, names, { seed: 3, identity: 4, image: 5 })).toEqual(a);
    expect(drawAttributes(ranges, names, { seed: 3, identity: 4, image: 6 })).not.toEqual(a);
  });
});

describe('checkAttributeSource', () => {
  it.each([
    {
      name: 'ranges lacking an attribute',
      given: { kind: 'ranges', ranges: [] } as AttributeSource,
      want: /lacks age, yaw/,
    },
    {
      name: 'an empty pool',
      given: { kind: 'pool', pool: { names: ['age', 'yaw'], values: new Float32Array() } } as AttributeSource,
      want: /empty/,
    },
  ])('rejects $name', ({ given, want }) => {
    expect(() => checkAttributeSource(given, names)).toThrow(AttributeSourceError);
    expect(() => checkAttributeSource(given, names)).toThrow(want);
  });
});
