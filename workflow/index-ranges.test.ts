import { describe, expect, it } from 'vitest';
import { compressIndexes, parseIndexes } from './index-ranges.ts';

describe('index ranges', () => {
  it.each([
    { given: [], want: '' },
    { given: [3], want: '3' },
    { given: [0, 1, 2, 3, 5, 7, 8, 9], want: '0-3,5,7-9' },
    { given: [9, 1, 0, 1], want: '0-1,9' },
  ])('$want', ({ given, want }) => {
    expect(compressIndexes(given)).toBe(want);
    expect(parseIndexes(want)).toEqual([...new Set(given)].sort((a, b) => a - b));
  });

  it('rejects garbage', () => {
    expect(() => parseIndexes('1,x-3')).toThrow(SyntaxError);
  });
});
