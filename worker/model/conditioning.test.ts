import { describe, expect, it } from 'vitest';
import { conditionMatrix, normalizeAttributes } from './conditioning.ts';
import { defaultConditioningConfig } from './config.ts';

const cond = { ...defaultConditioningConfig(2) };

describe('normalizeAttributes', () => {
  it.each([
    { name: 'by name: age/100, pose/90', given: { age: 50, pitch: -45, yaw: 90, roll: 9 }, want: [0.5, -0.5, 1, 0.1] },
    { name: 'in config order', given: [100, 0, -90, 18], want: [1, 0, -1, 0.2] },
  ])('$name', ({ given, want }) => {
    normalizeAttributes(given, cond).forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 12);
    });
  });

  it('refuses a missing attribute instead of reading it as 0', () => {
    expect(() => normalizeAttributes({ age: 30, pitch: 0, yaw: 0 }, cond)).toThrow(/roll/);
  });

  it('divides by the largest absolute bound of a custom range', () => {
    const custom = { ...cond, attributes: [{ name: 'smile', min: -2, max: 4 }] };
    expect(normalizeAttributes({ smile: 2 }, custom)).toEqual([0.5]);
  });
});

describe('conditionMatrix', () => {
  it('lays out rows of [y ; s_norm]', () => {
    const m = conditionMatrix(
      new Float32Array([1, 0, 0, 1]),
      [{ age: 100, pitch: 0, yaw: 0, roll: 0 }, [0, 90, 0, 0]],
      cond,
    );
    expect([...m]).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
  });

  it('checks that y has one embedding per row', () => {
    expect(() => conditionMatrix(new Float32Array(3), [[0, 0, 0, 0]], cond)).toThrow(/expected 1 × 2/);
  });
});
