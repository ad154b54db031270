import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetKeys } from '../../io/output/index.ts';
import { openStore, type Store } from '../../io/storage/index.ts';
import { writeSmallDataset } from '../../test/storage/fixtures.ts';
import { DatasetFormatError } from './errors.ts';
import { encodeJsonl } from './jsonl.ts';
import { readTrainingInput, type TrainingInputOptions, trainingCatalog } from './training-input.ts';

const fresh = (): Store => openStore(mkdtempSync(join(tmpdir(), 'id3-input-')));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

/** An image folder of `n` fake images in two sub-folders, with attributes.jsonl (keys with and without extension). */
async function imageFolder(n: number): Promise<Store> {
  const store = fresh();
  const lines = [];
  for (let i = 0; i < n; i++) {
    const key = `${i % 2 === 0 ? 'even' : 'odd'}/${String(i).padStart(3, '0')}`;
    await store.put(`${key}.png`, `image ${i}`);
    lines.push({ key: i % 3 === 0 ? `${key}.png` : key, age: i, yaw: 100 - i });
  }
  await store.put('attributes.jsonl', encodeJsonl(lines));
  await store.put('README.txt', 'not an image');
  return store;
}

const text = (b: Uint8Array) => Buffer.from(b).toString();

describe('readTrainingInput: imagefolder', () => {
  const opts = (store: Store, extra: Partial<TrainingInputOptions> = {}): TrainingInputOptions => ({
    store,
    format: 'imagefolder',
    seed: 1,
    attributes: 'dataset',
    ...extra,
  });

  it('reads every image once with its attributes, in a seeded order', async () => {
    const store = await imageFolder(12);
    const a = await collect(readTrainingInput(opts(store)));
    expect(a.map((s) => text(s.bytes)).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `image ${i}`).sort());
    for (const s of a)
      expect(s.attributes).toEqual({ age: Number(s.key.slice(-3)), yaw: 100 - Number(s.key.slice(-3)) });
    const again = await collect(readTrainingInput(opts(store)));
    const other = await collect(readTrainingInput(opts(store, { seed: 2 })));
    expect(again.map((s) => s.key)).toEqual(a.map((s) => s.key));
    expect(other.map((s) => s.key)).not.toEqual(a.map((s) => s.key));
  });

  it('cuts to maxImages in key order, then gives each task a contiguous share', async () => {
    const store = await imageFolder(12);
    const catalog = (await trainingCatalog(store, 'imagefolder')).map((e) => e.key);
    expect(catalog.slice(0, 3)).toEqual(['even/000', 'even/002', 'even/004']);
    const tasks = await Promise.all(
      [0, 1, 2].map((index) => collect(readTrainingInput(opts(store, { maxImages: 9, task: { index, count: 3 } })))),
    );
    expect(tasks.map((t) => t.map((s) => s.key).sort())).toEqual([
      catalog.slice(0, 3),
      catalog.slice(3, 6),
      catalog.slice(6, 9),
    ]);
  });

  it('fails on an image without attributes, or reads without them when told so', async () => {
    const store = await imageFolder(3);
    await store.put('odd/999.png', 'stray');
    await expect(collect(readTrainingInput(opts(store)))).rejects.toBeInstanceOf(DatasetFormatError);
    const none = await collect(readTrainingInput(opts(store, { attributes: 'none' })));
    expect(none.every((s) => s.attributes === undefined)).toBe(true);
  });
});

describe('readTrainingInput: webdataset', () => {
  const small = { identities: 5, imagesPerIdentity: 3, identitiesPerTar: 2 };

  it('reads the shards with sidecar attributes, with or without index.jsonl, shuffled by seed', async () => {
    const store = fresh();
    await writeSmallDataset(store, small);
    const read = (seed: number) =>
      collect(readTrainingInput({ store, format: 'webdataset', seed, attributes: 'dataset' }));
    const a = await read(4);
    expect(a).toHaveLength(15);
    expect(a.map((s) => s.key).sort()).toEqual((await trainingCatalog(store, 'webdataset')).map((e) => e.key));
    for (const s of a)
      expect(s.attributes).toEqual({
        age: 20 + s.identity!,
        pitch: 1 - Number(s.key.slice(-3)),
        yaw: Number(s.key.slice(-3)) * 2.5,
        roll: 0.25,
      });
    expect((await read(5)).map((s) => s.key)).not.toEqual(a.map((s) => s.key));

    await store.delete(datasetKeys.index); // a foreign WebDataset: the catalog comes from scanning the tars
    expect((await read(4)).map((s) => s.key)).toEqual(a.map((s) => s.key));
  });

  it('splits the images between tasks without overlap', async () => {
    const store = fresh();
    await writeSmallDataset(store, small);
    const parts = await Promise.all(
      [0, 1].map((index) =>
        collect(
          readTrainingInput({ store, format: 'webdataset', seed: 1, attributes: 'none', task: { index, count: 2 } }),
        ),
      ),
    );
    const keys = parts.flat().map((s) => s.key);
    expect(new Set(keys).size).toBe(15);
    expect(parts.map((p) => p.length)).toEqual([7, 8]);
  });
});
