import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function id3(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'id3.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout + r.stderr };
}

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
