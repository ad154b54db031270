import { describe, expect, it } from 'vitest';
import { closest, pointerToPath } from './openapi.ts';

describe('closest', () => {
  it.each([
    { given: 'imagesPerIdentiy', want: 'imagesPerIdentity' },
    { given: 'Identities', want: 'identities' },
    { given: 'shard', want: 'sharding' },
    { given: 'completelyDifferent', want: undefined },
  ])('$given → $want', ({ given, want }) => {
    expect(closest(given, ['imagesPerIdentity', 'identities', 'sharding', 'seed'])).toBe(want);
  });
});

describe('pointerToPath', () => {
  it.each([
    { pointer: '/spec/ranges/0/min', want: 'spec.ranges[0].min' },
    { pointer: '/spec/nodeSelector/nvidia.com~1gpu', want: 'spec.nodeSelector["nvidia.com/gpu"]' },
    { pointer: '', want: '' },
  ])('$pointer', ({ pointer, want }) => {
    const root = { spec: { ranges: [{ min: 1 }], nodeSelector: { 'nvidia.com/gpu': 'x' } } };
    expect(pointerToPath(pointer, root)).toBe(want);
  });
});
