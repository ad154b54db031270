/**
 * Verification sets as a folder of images plus a pairs file (LFW's `pairs.txt` or insightface's `pairs_label.txt`,
 * see pairs.ts): reading checks every named image exists before anything is decoded, and writing lays out the
 * images and the pairs file so that the reader (and LFW's own tools) take it back.
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { BenchmarkFormatError } from './errors.ts';
import { formatLabelPairs, formatLfwPairs, type LfwImage, lfwImagePath, type PathPair, parsePairs } from './pairs.ts';
import type { VerificationSet } from './set.ts';

export interface FolderLocation {
  /** The folder the pairs file's paths are relative to. */
  images: string;
  /** Default: `pairs.txt` in the image folder, else `pairs_label.txt` there. */
  pairs?: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function pairsFile(where: FolderLocation): Promise<string> {
  if (where.pairs) return where.pairs;
  for (const name of ['pairs.txt', 'pairs_label.txt'])
    if (await exists(join(where.images, name))) return join(where.images, name);
  throw new BenchmarkFormatError(`${where.images} holds neither pairs.txt nor pairs_label.txt; name the pairs file`);
}

/** Reads the pairs file and checks that each image it names is there. */
export async function readImageFolder(where: FolderLocation): Promise<VerificationSet> {
  const file = await pairsFile(where);
  const { pairs } = parsePairs(await readFile(file, 'utf8'), file);
  await requireImages(where.images, pairs, file);
  const paths = pairs.flatMap((p) => [p.a, p.b]);
  return {
    source: file,
    same: pairs.map((p) => p.same),
    image: async (i) => {
      const path = paths[i];
      if (path === undefined) throw new RangeError(`${file} names ${paths.length} images, not ${i + 1}`);
      return new Uint8Array(await readFile(join(where.images, path)));
    },
    describe: (i) => `${file}:${pairs[i >> 1]?.line} ${paths[i]}`,
  };
}

async function requireImages(root: string, pairs: readonly PathPair[], file: string): Promise<void> {
  const seen = new Set<string>();
  for (const { a, b, line } of pairs)
    for (const path of [a, b]) {
      if (seen.has(path)) continue;
      seen.add(path);
      if (!(await exists(join(root, path))))
        throw new BenchmarkFormatError(`${file}:${line}: image ${path} is not in ${root}`, line);
    }
}

/** An image to write: where it goes (relative to the folder) and its encoded bytes. */
interface Placed {
  path: string;
  image: Uint8Array;
}

/** Writes each distinct path once; one path with two different contents is a caller's mistake. */
async function writeImages(root: string, placed: readonly Placed[]): Promise<void> {
  const byPath = new Map<string, Uint8Array>();
  for (const { path, image } of placed) {
    const before = byPath.get(path);
    if (before && Buffer.compare(before, image) !== 0) throw new RangeError(`two different images for ${path}`);
    byPath.set(path, image);
  }
  for (const [path, image] of byPath) {
    const file = join(root, path);
    if (relative(root, file).startsWith('..')) throw new RangeError(`${path} leaves the folder`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, image);
  }
}

const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

export interface LfwImagePair {
  a: LfwImage & { image: Uint8Array };
  b: LfwImage & { image: Uint8Array };
}

/**
 * An LFW-layout folder: `name/name_000i.jpg` images (JPEG, as the names say) and `pairs.txt` with `folds` folds.
 * Pairs whose two images share a name are same-person pairs.
 */
export async function writeLfwFolder(root: string, pairs: readonly LfwImagePair[], folds = 10): Promise<void> {
  const text = formatLfwPairs(pairs, folds);
  const placed = pairs.flatMap(({ a, b }) => [a, b]).map((im) => ({ path: lfwImagePath(im), image: im.image }));
  for (const { path, image } of placed) if (!isJpeg(image)) throw new RangeError(`${path}: LFW images are JPEG`);
  await writeImages(root, placed);
  await writeFile(join(root, 'pairs.txt'), text);
}

export interface PathImagePair {
  a: Placed;
  b: Placed;
  same: boolean;
}

/** A folder in insightface's `pairs_label.txt` layout: images at the given relative paths and the label list. */
export async function writeLabelFolder(root: string, pairs: readonly PathImagePair[]): Promise<void> {
  const text = formatLabelPairs(pairs.map(({ a, b, same }) => ({ a: a.path, b: b.path, same })));
  await writeImages(
    root,
    pairs.flatMap(({ a, b }) => [a, b]),
  );
  await writeFile(join(root, 'pairs_label.txt'), text);
}
