import type { ImageExt } from '../../io/output/index.ts';
import { exportKeys } from '../../io/output/index.ts';
import { mapLimit, type Store } from '../../io/storage/index.ts';
import { attributesLine } from './attributes.ts';
import { DatasetFormatError } from './errors.ts';
import { imageSize } from './image.ts';
import { encodeJsonl } from './jsonl.ts';
import { type DatasetCard, readDatasetCard } from './manifest.ts';
import { packRecord, propertyText, RecordIOWriter } from './recordio.ts';
import { imageExtOf, parseSidecar, type SampleMeta } from './sample.ts';
import { readTar } from './tar.ts';

export type ExportFormat = 'imagefolder' | 'recordio';

export interface ExportOptions {
  /** The finished dataset (it has a manifest.json). */
  source: Store;
  out: Store;
  format: ExportFormat;
  /** Objects written at once (imagefolder). */
  concurrency?: number;
  onProgress?: (imagesDone: number, imagesTotal: number) => void;
}

export interface ExportSummary {
  format: ExportFormat;
  images: number;
  classes: number;
  keys: string[];
}

/** An image of the dataset as read back from its tar. */
interface DatasetImage {
  meta: SampleMeta;
  bytes: Uint8Array;
  ext: ImageExt;
}

/** Converts a finished dataset to another layout, reading its tars in order as streams. */
export async function exportDataset(opts: ExportOptions): Promise<ExportSummary> {
  const card = await readDatasetCard(opts.source);
  return opts.format === 'imagefolder' ? exportImagefolder(opts, card) : exportRecordio(opts, card);
}

/** The dataset's images in (identity, image) order. */
async function* datasetImages(store: Store, card: DatasetCard): AsyncIterable<DatasetImage> {
  for (const tar of card.files.shards) {
    const where = store.uri(tar.key);
    let image: { name: string; data: Uint8Array; ext: ImageExt } | undefined;
    for await (const m of readTar(await store.getStream(tar.key), where)) {
      const ext = imageExtOf(m.name);
      if (ext) {
        image = { name: m.name, data: m.data, ext };
        continue;
      }
      if (!m.name.endsWith('.json')) continue;
      if (!image || image.name.slice(0, image.name.lastIndexOf('.')) !== m.name.slice(0, -'.json'.length)) {
        throw new DatasetFormatError(`${where}/${m.name}`, 'sidecar without its image right before it');
      }
      yield { meta: parseSidecar(m.data, `${where}/${m.name}`), bytes: image.data, ext: image.ext };
      image = undefined;
    }
  }
}

/** `images/000123/007.png` per image and `attributes.jsonl`: a folder that is also valid training input. */
async function exportImagefolder(opts: ExportOptions, card: DatasetCard): Promise<ExportSummary> {
  const total = card.counts.images;
  const lines: Record<string, unknown>[] = [];
  const keys: string[] = [];
  let batch: DatasetImage[] = [];
  const flush = async () => {
    await mapLimit(batch, opts.concurrency ?? 16, async (img) => {
      const key = exportKeys.imagefolderImage(img.meta.identity, img.meta.image, img.ext);
      await opts.out.put(key, img.bytes, { contentType: img.ext === 'png' ? 'image/png' : 'image/jpeg' });
    });
    for (const img of batch) {
      const key = exportKeys.imagefolderImage(img.meta.identity, img.meta.image, img.ext);
      keys.push(key);
      lines.push(attributesLine(key.slice(0, key.lastIndexOf('.')), img.meta.attributes));
    }
    opts.onProgress?.(keys.length, total);
    batch = [];
  };
  for await (const img of datasetImages(opts.source, card)) {
    batch.push(img);
    if (batch.length >= 256) await flush();
  }
  await flush();
  checkCount(keys.length, total);
  await opts.out.put(exportKeys.imagefolderAttributes, encodeJsonl(lines), { contentType: 'application/x-ndjson' });
  return {
    format: 'imagefolder',
    images: keys.length,
    classes: card.counts.identities,
    keys: [...keys, exportKeys.imagefolderAttributes],
  };
}

/**
 * insightface's classic layout: record 0 is a header (label vector [N+1, N+1+C]), records 1…N the images with their
 * class as label, records N+1…N+C one per class with its image range [first, end) as label. `train.rec` is written
 * as a stream (multipart on S3), then `train.idx`, then `property`.
 */
async function exportRecordio(opts: ExportOptions, card: DatasetCard): Promise<ExportSummary> {
  const n = card.counts.images;
  const classes = card.counts.identities;
  const writer = new RecordIOWriter();
  const ranges: [number, number][] = [];
  let size: { width: number; height: number } | undefined;
  let count = 0;
  async function* records(): AsyncIterable<Uint8Array> {
    yield writer.write(0, packRecord({ label: [n + 1, n + 1 + classes], id: 0, id2: 0 }, new Uint8Array()));
    for await (const img of datasetImages(opts.source, card)) {
      const id = ++count;
      size ??= await imageSize(img.bytes);
      const label = img.meta.identity;
      if (label >= classes) throw new DatasetFormatError('dataset', `identity ${label} is not below ${classes}`);
      ranges[label] ??= [id, id];
      const range = ranges[label];
      if (range[1] !== id) throw new DatasetFormatError('dataset', `images of identity ${label} are not contiguous`);
      range[1] = id + 1;
      yield writer.write(id, packRecord({ label, id, id2: 0 }, img.bytes));
      if (count % 256 === 0) opts.onProgress?.(count, n);
    }
    checkCount(count, n);
    for (let c = 0; c < classes; c++) {
      const range = ranges[c];
      if (!range) throw new DatasetFormatError('dataset', `identity ${c} has no images`);
      yield writer.write(n + 1 + c, packRecord({ label: range, id: n + 1 + c, id2: 0 }, new Uint8Array()));
    }
  }
  await opts.out.put(exportKeys.recordioRec, records(), { contentType: 'application/octet-stream' });
  await opts.out.put(exportKeys.recordioIdx, writer.idxBytes(), { contentType: 'text/plain' });
  const { width, height } = size ?? { width: card.image.width, height: card.image.height };
  await opts.out.put(exportKeys.recordioProperty, propertyText(classes, height, width), { contentType: 'text/plain' });
  opts.onProgress?.(count, n);
  return {
    format: 'recordio',
    images: count,
    classes,
    keys: [exportKeys.recordioRec, exportKeys.recordioIdx, exportKeys.recordioProperty],
  };
}

function checkCount(got: number, want: number): void {
  if (got !== want) throw new DatasetFormatError('dataset', `the tars hold ${got} images, the manifest says ${want}`);
}
