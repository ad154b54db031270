import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, tinyImages } from '../../../test/fixtures/benchmark/helpers.ts';
import { readImageFolder, writeLabelFolder, writeLfwFolder } from './folder.ts';
import type { VerificationSet } from './set.ts';

let images: Uint8Array[];
let dir: string;

beforeAll(async () => {
  images = await tinyImages(6); // odd indices are JPEG
  dir = mkdtempSync(join(tmpdir(), 'folder-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function allImages(set: VerificationSet): Promise<string[]> {
  return Promise.all(Array.from({ length: 2 * set.same.length }, async (_, i) => hex(await set.image(i))));
}

describe('LFW layout', () => {
  const jpeg = (k: number) => images[2 * k + 1]!;
  const pairs = () => [
    { a: { name: 'ann', index: 1, image: jpeg(0) }, b: { name: 'ann', index: 2, image: jpeg(1) } },
    { a: { name: 'ann', index: 1, image: jpeg(0) }, b: { name: 'bo', index: 1, image: jpeg(2) } },
  ];

  it('writes name/name_000i.jpg and pairs.txt, which the reader takes back', async () => {
    const root = join(dir, 'lfw');
    await writeLfwFolder(root, pairs(), 1);
    expect(readFileSync(join(root, 'pairs.txt'), 'utf8')).toBe('1\t1\nann\t1\t2\nann\t1\tbo\t1\n');
    const set = await readImageFolder({ images: root });
    expect(set.same).toEqual([true, false]);
    expect(await allImages(set)).toEqual([jpeg(0), jpeg(1), jpeg(0), jpeg(2)].map(hex));
    expect(set.describe(3)).toBe(`${join(root, 'pairs.txt')}:3 bo/bo_0001.jpg`);
  });

  it('refuses a pairs file naming a missing image, with its line', async () => {
    const root = join(dir, 'lfw-missing');
    await writeLfwFolder(root, pairs(), 1);
    unlinkSync(join(root, 'bo/bo_0001.jpg'));
    await expect(readImageFolder({ images: root })).rejects.toThrow(/pairs.txt:3: image bo\/bo_0001.jpg is not in/);
  });

  it('refuses PNG bytes under a .jpg name and two images for one path', async () => {
    const png = [
      { a: { name: 'a', index: 1, image: images[0]! }, b: { name: 'a', index: 2, image: jpeg(0) } },
      pairs()[1]!,
    ];
    await expect(writeLfwFolder(join(dir, 'x'), png, 1)).rejects.toThrow(/a\/a_0001.jpg: LFW images are JPEG/);
    const clash = [
      { a: { name: 'a', index: 1, image: jpeg(0) }, b: { name: 'a', index: 1, image: jpeg(1) } },
      pairs()[1]!,
    ];
    await expect(writeLfwFolder(join(dir, 'y'), clash, 1)).rejects.toThrow(/two different images for a\/a_0001.jpg/);
  });
});

describe('pairs_label.txt layout', () => {
  it('writes images at their paths and the label list, which the reader takes back', async () => {
    const root = join(dir, 'labels');
    const pairs = [
      { a: { path: 'p/0.png', image: images[0]! }, b: { path: 'q/1.jpg', image: images[1]! }, same: false },
      { a: { path: 'p/2.png', image: images[2]! }, b: { path: 'p/3.jpg', image: images[3]! }, same: true },
    ];
    await writeLabelFolder(root, pairs);
    const set = await readImageFolder({ images: root });
    expect(set.source).toBe(join(root, 'pairs_label.txt'));
    expect(set.same).toEqual([false, true]);
    expect(await allImages(set)).toEqual(images.slice(0, 4).map(hex));
  });

  it('asks for the pairs file when the folder has none', async () => {
    await expect(readImageFolder({ images: dir })).rejects.toThrow(/holds neither pairs.txt nor pairs_label.txt/);
  });
});
