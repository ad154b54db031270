import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function id3(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'id3.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

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
