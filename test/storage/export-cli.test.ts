import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../io/storage/index.ts';
import { writeSmallDataset } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function id3(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'id3.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('id3 export', () => {
  it('exports a dataset given by relative paths, resolved against the current directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'id3-export-'));
    await writeSmallDataset(openStore(join(cwd, 'data')), { identities: 2, imagesPerIdentity: 2, identitiesPerTar: 1 });
    const { code, out } = id3(cwd, 'export', 'data', '--format', 'imagefolder', '--out', 'folder');
    expect(out).toContain(`exported 4 images of 2 identities as imagefolder to ${join(cwd, 'folder')}`);
    expect(code).toBe(0);
    expect(
      readFileSync(join(cwd, 'folder', 'attributes.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
  });

  it.each([
    {
      name: 'a folder that is not a finished dataset',
      given: ['export', '.', '--format', 'recordio', '--out', 'x'],
      want: /manifest\.json/,
    },
    {
      name: 'an unknown format',
      given: ['export', '.', '--format', 'lmdb', '--out', 'x'],
      want: /imagefolder or recordio/,
    },
  ])('exits 65 on $name', ({ given, want }) => {
    const { code, out } = id3(mkdtempSync(join(tmpdir(), 'id3-export-')), ...given);
    expect(out).toMatch(want);
    expect(code).toBe(65);
  });
});
