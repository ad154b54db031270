import { describe, expect, it } from 'vitest';
import { tarCount, tarIdentities } from '../../workflow/index.ts';
import { checkpointKeys, memberNames, sampleKey, tarOfIdentity } from './layout.ts';

describe('layout', () => {
  it.each([
    { name: 'small numbers', given: [12, 7], want: '000012_007' },
    { name: 'wider than the padding', given: [1234567, 1000], want: '1234567_1000' },
  ])('sampleKey: $name', ({ given, want }) => {
    expect(sampleKey(given[0]!, given[1]!)).toBe(want);
  });

  it('names an image and its sidecar', () => {
    expect(memberNames(3, 41, 'jpg')).toEqual({ image: '000003_041.jpg', meta: '000003_041.json' });
  });

  it.each([
    { name: 'exact multiple', given: { n: 10, p: 5, k: 1 }, want: { count: 2, ids: [5, 10] } },
    { name: 'short last tar', given: { n: 11, p: 5, k: 2 }, want: { count: 3, ids: [10, 11] } },
    { name: 'one identity per tar', given: { n: 3, p: 1, k: 2 }, want: { count: 3, ids: [2, 3] } },
  ])('tars: $name', ({ given, want }) => {
    expect(tarCount(given.n, given.p)).toBe(want.count);
    expect(tarIdentities(given.k, given.p, given.n)).toEqual(want.ids);
    expect(tarOfIdentity(want.ids[0]!, given.p)).toBe(given.k);
  });

  it.each([
    { given: 'step-000001234', want: 1234 },
    { given: 'step-1234567890', want: 1234567890 },
    { given: 'step-12', want: undefined },
    { given: 'latest', want: undefined },
  ])('checkpointKeys.stepOf($given) = $want', ({ given, want }) => {
    expect(checkpointKeys.stepOf(given)).toBe(want);
  });

  it('round-trips a step through its folder name', () => {
    expect(checkpointKeys.stepOf(checkpointKeys.dir(1234))).toBe(1234);
    expect(checkpointKeys.marker(5)).toBe('step-000000005/COMMITTED');
  });
});
