import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetKeys } from '../../io/output/index.ts';
import { openStore, type Store } from '../../io/storage/index.ts';
import { sampleImage, tarSpec } from '../../test/storage/fixtures.ts';
import { parseJsonl } from './jsonl.ts';
import type { IndexLine } from './sample.ts';
import { ShardWriter } from './shard-writer.ts';

const shape = { identities: 5, imagesPerIdentity: 3, identitiesPerTar: 2 };
const fresh = (): Store => openStore(mkdtempSync(join(tmpdir(), 'id3-shard-')));

async function keys(store: Store, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

/** Writes tar `k` with images arriving in the given order of (identity, image). */
async function writeTar(store: Store, k: number, order: [number, number][]) {
  const writer = await ShardWriter.open(store, tarSpec(shape, k));
  for (const [identity, image] of order) await writer.add(await sampleImage(identity, image));
  return writer.commit();
}

describe('ShardWriter', () => {
  it('writes the same tar bytes whatever order the images arrive in', async () => {
    const inOrder = await writeTar(
      fresh(),
      1,
      [2, 3].flatMap((id) => [0, 1, 2].map((im): [number, number] => [id, im])),
    );
    const shuffledOrder: [number, number][] = [
      [3, 2],
      [2, 1],
      [3, 0],
      [2, 2],
      [3, 1],
      [2, 0],
    ];
    const other = await writeTar(fresh(), 1, shuffledOrder);
    expect(other.sha256).toBe(inOrder.sha256);
    expect(other).toEqual({ ...inOrder });
    expect(inOrder).toMatchObject({ tar: 1, key: 'shards/000001.tar', images: 6, identities: [2, 4] });
  });

  it('stages whole identities, resumes from them after a restart, and cleans up on commit', async () => {
    const store = fresh();
    const first = await ShardWriter.open(store, tarSpec(shape, 0));
    expect(first.pendingIdentities()).toEqual([0, 1]);
    for (const im of [0, 1, 2]) await first.add(await sampleImage(0, im));
    await first.add(await sampleImage(1, 0)); // buffered only: lost with the process
    expect(await keys(store)).toEqual([datasetKeys.stagedIdentity(0, 0)]);

    const second = await ShardWriter.open(store, tarSpec(shape, 0));
    expect(second.pendingIdentities()).toEqual([1]);
    await expect(second.commit()).rejects.toThrow(/not generated yet: 1/);
    await expect(second.add(await sampleImage(0, 0))).rejects.toThrow(/already written/);
    for (const im of [0, 1, 2]) await second.add(await sampleImage(1, im));
    const committed = await second.commit();
    expect(await keys(store)).toEqual([datasetKeys.tarIndex(0), datasetKeys.tar(0)]);

    const reopened = await ShardWriter.open(store, tarSpec(shape, 0));
    expect(reopened.pendingIdentities()).toEqual([]);
    expect(reopened.committed).toEqual(committed);
    expect(await reopened.commit()).toEqual(committed);
  });

  it('indexes every image with the offset of its bytes in the tar', async () => {
    const store = fresh();
    const committed = await writeTar(
      store,
      2,
      [0, 1, 2].map((im): [number, number] => [4, im]),
    ); // the short last tar
    expect(committed).toMatchObject({ images: 3, identities: [4, 5] });
    const lines = parseJsonl<IndexLine>(await store.get(datasetKeys.tarIndex(2)), 'index');
    expect(lines.map((l) => l.key)).toEqual(['000004_000', '000004_001', '000004_002']);
    for (const line of lines) {
      const want = await sampleImage(line.identity, line.image);
      expect(line).toMatchObject({ tar: 'shards/000002.tar', format: 'png', ...want.meta });
      expect(Buffer.from(await store.getRange(line.tar, line.offset, line.size))).toEqual(Buffer.from(want.bytes));
    }
  });

  it.each([
    { name: 'an identity of another tar', given: [0, 0], want: /not in tar 1/ },
    { name: 'an image index past imagesPerIdentity', given: [2, 3], want: /outside \[0, 3\)/ },
  ])('refuses $name', async ({ given, want }) => {
    const writer = await ShardWriter.open(fresh(), tarSpec(shape, 1));
    await expect(writer.add(await sampleImage(given[0]!, given[1]!))).rejects.toThrow(want);
  });
});
