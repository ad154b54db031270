import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { id3, root } from './id3.ts';

describe('id3 --version', () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

  it.each(['--version', '-V'])('%s prints the version in package.json and exits 0', (flag) => {
    const r = id3(flag);
    expect(r.stdout.trim()).toBe(version);
    expect(r.code).toBe(0);
  });

  it('is listed in --help', () => {
    expect(id3('--help').out).toMatch(/-V, --version\s+output the version number/);
  });
});
