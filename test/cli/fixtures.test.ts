import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { id3 } from './id3.ts';

describe('id3 fixtures faces', () => {
  it('writes an image folder with attributes and labels', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'id3-fixtures-')), 'faces');
    const r = id3(
      'fixtures',
      'faces',
      '--identities',
      '2',
      '--per-identity',
      '2',
      '--size',
      '16',
      '--seed',
      '3',
      '--out',
      out,
    );
    expect(r.out).toContain('wrote 4 faces of 2 identities');
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'images', '000001', '001.png'))).toBe(true);
    expect(readFileSync(join(out, 'attributes.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
  });

  it.each([
    {
      name: 'a size below 16',
      args: ['--size', '8'],
      message: /error: --size must be an integer in \[16, 512\], got 8/,
    },
    {
      name: 'no identities',
      args: ['--identities', '0'],
      message: /error: --identities must be an integer in \[1, 1000000\], got 0/,
    },
    {
      name: 'too many pictures per identity',
      args: ['--per-identity', '2000'],
      message: /error: --per-identity must be an integer in \[1, 1000\], got 2000/,
    },
    {
      name: 'a non-integer count',
      args: ['--identities', 'many'],
      message: /option '--identities <n>' argument 'many' is invalid\. not an integer/,
    },
    {
      name: 'a fractional count',
      args: ['--per-identity', '1.5'],
      message: /option '--per-identity <n>' argument '1\.5' is invalid\. not an integer/,
    },
    { name: 'an unsupported URI scheme', args: ['--out', 'ftp://host/faces'], message: /unsupported scheme/ },
  ])('fails on $name with exit 65, in terms of the flags, and writes nothing', ({ args, message }) => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-fixtures-'));
    const out = join(dir, 'faces');
    const base = ['fixtures', 'faces', '--identities', '2', '--per-identity', '2', '--out', out];
    const r = id3(...base, ...args);
    expect(r.out).toMatch(message);
    expect(r.out).not.toMatch(/(^|\s)(identities|perIdentity|size) must/m);
    expect(r.code).toBe(65);
    expect(existsSync(out)).toBe(false);
  });

  it('says in --help which options are required', () => {
    const help = id3('fixtures', 'faces', '--help').out.replace(/\s+/g, ' ');
    expect(help).toContain('--identities <n> number of identities (required)');
    expect(help).toContain('--per-identity <n> pictures per identity (required)');
    expect(help).toMatch(/--out <uri> output folder: [^-]*\(required\)/);
    expect(help).not.toMatch(/--size <px> [^-]*\(required\)/);
    expect(help).not.toMatch(/--seed <n> [^-]*\(required\)/);
  });
});
