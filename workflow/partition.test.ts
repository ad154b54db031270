import { describe, expect, it } from 'vitest';
import { admitOrThrow, type SyntheticDatasetJob } from '../api/index.ts';
import { datasetJob } from '../test/builders.ts';
import { contiguousRange, identitiesOfTask, tarCount, tarsOfTask } from './partition.ts';

function job(identities: number, perTar: number, shards: number): SyntheticDatasetJob {
  return admitOrThrow(
    datasetJob('p')
      .set('spec.identities', identities)
      .set('spec.output.identitiesPerTar', perTar)
      .shards(shards, 1)
      .obj(),
  ) as SyntheticDatasetJob;
}

describe('contiguousRange', () => {
  it.each([
    { given: [10, 3, 0], want: [0, 3] },
    { given: [10, 3, 1], want: [3, 6] },
    { given: [10, 3, 2], want: [6, 10] },
    { given: [2, 2, 1], want: [1, 2] },
    { given: [2, 3, 0], want: [0, 0] },
  ])('$given', ({ given: [count, parts, index], want }) => {
    expect(contiguousRange(count!, parts!, index!)).toEqual(want);
  });

  it.each([1, 2, 3, 7, 64])('contiguousRange partitions 64 tars over %i tasks, contiguous and in order', (shards) => {
    const ranges = Array.from({ length: shards }, (_, t) => contiguousRange(64, shards, t));
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(64);
    for (let t = 1; t < shards; t++) expect(ranges[t]![0]).toBe(ranges[t - 1]![1]);
    const sizes = ranges.map(([a, b]) => b - a);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('refuses a part that does not exist', () => {
    expect(() => contiguousRange(10, 3, 3)).toThrow(RangeError);
  });
});

describe('generate tasks', () => {
  it.each([
    { identities: 10_000, perTar: 50, shards: 64 },
    { identities: 20, perTar: 5, shards: 4 },
    { identities: 7, perTar: 3, shards: 3 },
    { identities: 1, perTar: 100, shards: 1 },
    { identities: 101, perTar: 10, shards: 11 },
  ])(
    'cover every identity exactly once, in whole tars: $identities ids, $perTar per tar, $shards shards',
    ({ identities, perTar, shards }) => {
      const j = job(identities, perTar, shards);
      const seen: number[] = [];
      let prevTarEnd = 0;
      for (let t = 0; t < shards; t++) {
        const [a, b] = tarsOfTask(j, t);
        expect(a).toBe(prevTarEnd);
        expect(b).toBeGreaterThan(a);
        prevTarEnd = b;
        const [s, e] = identitiesOfTask(j, t);
        expect(s).toBe(a * perTar);
        for (let i = s; i < e; i++) seen.push(i);
      }
      expect(prevTarEnd).toBe(tarCount(j.spec.identities, j.spec.output.identitiesPerTar));
      expect(seen).toEqual(Array.from({ length: identities }, (_, i) => i));
    },
  );

  it('balances tars across tasks to within one', () => {
    const j = job(10_000, 50, 64);
    const sizes = Array.from({ length: 64 }, (_, t) => tarsOfTask(j, t)).map(([a, b]) => b - a);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});
