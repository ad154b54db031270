import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { id3, root } from './id3.ts';

describe('id3 run -j', () => {
  // A file that does not exist: were the value let through, the run would get as far as reading it.
  const missing = join(root, 'no-such-job.yaml');

  it.each([
    { value: 'abc', reason: 'not an integer' },
    { value: '1.5', reason: 'not an integer' },
    { value: '', reason: 'not an integer' },
    { value: '0', reason: 'must be at least 1' },
    { value: '-2', reason: 'must be at least 1' },
  ])('rejects -j $value before reading anything, with exit 65', ({ value, reason }) => {
    const r = id3('run', '-j', value, missing);
    expect(r.out).toContain(`option '-j, --parallelism <n>' argument '${value}' is invalid. ${reason}`);
    expect(r.out).not.toContain('cannot read');
    expect(r.code).toBe(65);
  });

  it('takes a positive integer and goes on to plan the run', () => {
    const r = id3('run', '--parallelism', '2', missing);
    expect(r.out).toContain(`cannot read ${missing}: no such file`);
    expect(r.code).toBe(65);
  });
});
