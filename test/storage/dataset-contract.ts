/**
 * A small dataset written to a store the way the stages write it, then read back by independent tools: numpy loads
 * the plan, GNU tar lists and extracts the shards, a RecordIO reader written from the format's description reads the
 * `id3 export --format recordio` output, and the training-input reader reads the shards and the imagefolder export.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { datasetKeys, exportKeys } from '../../io/output/index.ts';
import type { Store } from '../../io/storage/index.ts';
import { exportDataset, readTrainingInput, type TrainingSample } from '../../worker/dataset/index.ts';
import type { StoreUnderTest } from './contract.ts';
import { anchors, SIDE, sampleImage, writeSmallDataset } from './fixtures.ts';
import { numpyLoad, parseIdx, readRecordAt, tarExtract, tarListing } from './readers.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const SMALL = { identities: 3, imagesPerIdentity: 2, identitiesPerTar: 2 };

export function datasetContract(t: StoreUnderTest): void {
  describe(`dataset formats on ${t.name}`, () => {
    it('numpy loads the plan, tar lists the shards, and a RecordIO reader reads the export back', async () => {
      const uri = t.freshUri();
      const store = t.open(uri);
      await writeSmallDataset(store, SMALL);
      const tmp = mkdtempSync(join(tmpdir(), 'id3-formats-'));

      const npy = await download(store, datasetKeys.planAnchors, tmp);
      expect(numpyLoad(npy)).toEqual({ shape: [3, 4], dtype: 'float32', values: [...anchors(3)] });

      const tar0 = await download(store, datasetKeys.tar(0), tmp);
      const listing = tarListing(tar0);
      expect(listing.map((l) => l.split(/\s+/).at(-1))).toEqual(
        ['000000_000', '000000_001', '000001_000', '000001_001'].flatMap((k) => [`${k}.png`, `${k}.json`]),
      );
      for (const line of listing) expect(line).toMatch(/^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00 /);
      expect(tarExtract(tar0, '000001_001.png')).toEqual(Buffer.from((await sampleImage(1, 1)).bytes));
      expect(JSON.parse(tarExtract(tar0, '000001_001.json').toString())).toEqual((await sampleImage(1, 1)).meta);

      const out = t.freshUri();
      await id3Export(uri, out, 'recordio', t.childEnv);
      await checkRecordio(t.open(out));
    });

    it('exports an imagefolder that the training-input reader reads like the shards themselves', async () => {
      const store = t.open(t.freshUri());
      await writeSmallDataset(store, SMALL);
      const folder = t.open(t.freshUri());
      const summary = await exportDataset({ source: store, out: folder, format: 'imagefolder' });
      expect(summary.images).toBe(6);
      const keys: string[] = [];
      for await (const o of folder.list('')) keys.push(o.key);
      expect(keys).toEqual([
        exportKeys.imagefolderAttributes,
        ...[0, 1, 2].flatMap((id) => [0, 1].map((im) => exportKeys.imagefolderImage(id, im, 'png'))),
      ]);

      const fromFolder = await collect(
        readTrainingInput({ store: folder, format: 'imagefolder', seed: 7, attributes: 'dataset' }),
      );
      const fromShards = await collect(
        readTrainingInput({ store, format: 'webdataset', seed: 7, attributes: 'dataset' }),
      );
      const byImage = (samples: TrainingSample[]) =>
        samples.map((s) => [Buffer.from(s.bytes).toString('base64'), s.attributes]).sort();
      expect(byImage(fromFolder)).toEqual(byImage(fromShards));
      expect(fromShards.map((s) => s.identity).sort()).toEqual([0, 0, 1, 1, 2, 2]);

      const halves = await Promise.all(
        [0, 1].map((index) =>
          collect(
            readTrainingInput({ store, format: 'webdataset', seed: 7, attributes: 'none', task: { index, count: 2 } }),
          ),
        ),
      );
      expect(
        halves
          .flat()
          .map((s) => s.key)
          .sort(),
      ).toEqual(fromShards.map((s) => s.key).sort());
      expect(halves[0]!.length + halves[1]!.length).toBe(6);
    });
  });
}

/** Reads train.rec through train.idx with the independent reader and checks every record against the dataset. */
async function checkRecordio(out: Store): Promise<void> {
  const rec = Buffer.from(await out.get(exportKeys.recordioRec));
  const idx = parseIdx(Buffer.from(await out.get(exportKeys.recordioIdx)).toString());
  expect(Buffer.from(await out.get(exportKeys.recordioProperty)).toString()).toBe(`3,${SIDE},${SIDE}\n`);
  expect([...idx.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const header = readRecordAt(rec, idx.get(0)!);
  expect({ flag: header.flag, labels: header.labels, body: header.body.length }).toEqual({
    flag: 2,
    labels: [7, 10],
    body: 0,
  });
  for (let i = 1; i <= 6; i++) {
    const r = readRecordAt(rec, idx.get(i)!);
    const identity = Math.floor((i - 1) / 2);
    expect({ flag: r.flag, label: r.label, id: r.id }).toEqual({ flag: 0, label: identity, id: BigInt(i) });
    expect(r.body).toEqual(Buffer.from((await sampleImage(identity, (i - 1) % 2)).bytes));
  }
  for (let c = 0; c < 3; c++) {
    const r = readRecordAt(rec, idx.get(7 + c)!);
    expect({ flag: r.flag, labels: r.labels }).toEqual({ flag: 2, labels: [1 + 2 * c, 3 + 2 * c] });
  }
}

async function id3Export(source: string, out: string, format: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(process.execPath, [join(ROOT, 'bin', 'id3.js'), 'export', source, '--format', format, '--out', out], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

async function download(store: Store, key: string, dir: string): Promise<string> {
  const file = join(dir, key.replaceAll('/', '_'));
  writeFileSync(file, await store.get(key));
  return file;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
