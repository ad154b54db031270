import { datasetKeys, type ImageExt } from '../../io/output/index.ts';
import { ObjectNotFoundError, type Store } from '../../io/storage/index.ts';
import { PURPOSE, uniformStream } from '../../random/index.ts';
import { contiguousRange } from '../../workflow/index.ts';
import { readAttributesJsonl, stripImageExt } from './attributes.ts';
import { DatasetFormatError } from './errors.ts';
import { parseJsonl } from './jsonl.ts';
import { type Attributes, type IndexLine, imageExtOf, parseSidecar } from './sample.ts';
import { shuffleBuffer, shuffled } from './shuffle.ts';
import { readTar } from './tar.ts';

/** One training image: its encoded bytes and, when the source has them, its attributes and identity. */
export interface TrainingSample {
  /** imagefolder: the path without extension (`a/b/0001`); webdataset: the sample key (`000123_007`). */
  key: string;
  bytes: Uint8Array;
  format: ImageExt;
  attributes?: Attributes;
  identity?: number;
}

/** An image of the dataset: its key and the object holding it (the image file, or its tar). */
export interface CatalogEntry {
  key: string;
  object: string;
}

export interface TrainingInputOptions {
  store: Store;
  format: 'imagefolder' | 'webdataset';
  /** Seed of the order; pass a different one per epoch. */
  seed: number;
  /** This task's share: a contiguous range of the catalog in key order. Unset reads everything. */
  task?: { index: number; count: number };
  /** Only the first images in key order (before sharding). */
  maxImages?: number;
  /** `dataset`: attributes.jsonl or the .json sidecars; a map: attributes from a file; `none`: no attributes. */
  attributes: 'dataset' | 'none' | Map<string, Attributes>;
  /** webdataset: samples in the shuffle buffer. */
  shuffleBuffer?: number;
  /** imagefolder: images fetched ahead of the consumer. */
  prefetch?: number;
}

const IMAGEFOLDER_ATTRIBUTES = 'attributes.jsonl';

/** Every image of a dataset in ascending key order. WebDataset shards are listed from `index.jsonl` when present. */
export async function trainingCatalog(store: Store, format: 'imagefolder' | 'webdataset'): Promise<CatalogEntry[]> {
  const entries = format === 'imagefolder' ? await imagefolderCatalog(store) : await webdatasetCatalog(store);
  return entries.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
}

async function imagefolderCatalog(store: Store): Promise<CatalogEntry[]> {
  const out: CatalogEntry[] = [];
  for await (const o of store.list('')) if (imageExtOf(o.key)) out.push({ key: stripImageExt(o.key), object: o.key });
  return out;
}

async function webdatasetCatalog(store: Store): Promise<CatalogEntry[]> {
  const index = await store.get(datasetKeys.index).catch((err: unknown) => {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  });
  if (index)
    return parseJsonl<IndexLine>(index, store.uri(datasetKeys.index)).map((l) => ({ key: l.key, object: l.tar }));
  // A foreign WebDataset: one pass over the tars to learn their samples.
  const out: CatalogEntry[] = [];
  for await (const o of store.list('')) {
    if (!o.key.endsWith('.tar')) continue;
    for await (const m of readTar(await store.getStream(o.key), store.uri(o.key))) {
      if (imageExtOf(m.name)) out.push({ key: wdsKey(m.name), object: o.key });
    }
  }
  return out;
}

/** WebDataset's key: the member's path up to the first dot of its file name. */
function wdsKey(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Streams a training task's images: the catalog in key order, cut to `maxImages`, this task's contiguous range, then
 * shuffled with a seeded generator — imagefolder as a whole permutation fetched a few images ahead, webdataset by
 * tar order plus a shuffle buffer, each tar read once as a stream.
 */
export async function* readTrainingInput(opts: TrainingInputOptions): AsyncIterable<TrainingSample> {
  let entries = await trainingCatalog(opts.store, opts.format);
  if (opts.maxImages !== undefined) entries = entries.slice(0, opts.maxImages);
  if (opts.task) {
    const [start, end] = contiguousRange(entries.length, opts.task.count, opts.task.index);
    entries = entries.slice(start, end);
  }
  const rng = uniformStream({ seed: opts.seed, a: opts.task?.index ?? 0, b: 0, purpose: PURPOSE.inputOrder });
  if (opts.format === 'imagefolder') yield* readImagefolder(opts, shuffled(entries, rng));
  else yield* shuffleBuffer(readWebdataset(opts, entries, rng), opts.shuffleBuffer ?? 256, rng);
}

async function* readImagefolder(opts: TrainingInputOptions, entries: CatalogEntry[]): AsyncIterable<TrainingSample> {
  const attributes =
    opts.attributes === 'dataset' ? await readAttributesJsonl(opts.store, IMAGEFOLDER_ATTRIBUTES) : opts.attributes;
  const fetch = (e: CatalogEntry) => {
    const p = opts.store.get(e.object);
    p.catch(() => {}); // a consumer that stops early must not leave unhandled rejections behind; awaited ones throw
    return p;
  };
  const ahead: Promise<Uint8Array>[] = [];
  const depth = Math.max(1, opts.prefetch ?? 8);
  for (let i = 0; i < entries.length; i++) {
    while (ahead.length < depth && i + ahead.length < entries.length) ahead.push(fetch(entries[i + ahead.length]!));
    const e = entries[i]!;
    const sample: TrainingSample = { key: e.key, bytes: await ahead.shift()!, format: imageExtOf(e.object)! };
    if (attributes !== 'none') sample.attributes = lookup(attributes, e.key, opts.store.uri(e.object));
    yield sample;
  }
}

async function* readWebdataset(
  opts: TrainingInputOptions,
  entries: CatalogEntry[],
  rng: () => number,
): AsyncIterable<TrainingSample> {
  const byTar = new Map<string, Set<string>>();
  for (const e of entries) {
    const keys = byTar.get(e.object) ?? new Set<string>();
    byTar.set(e.object, keys.add(e.key));
  }
  for (const tarKey of shuffled([...byTar.keys()], rng)) {
    const wanted = byTar.get(tarKey)!;
    const where = opts.store.uri(tarKey);
    const pending = new Map<string, { image?: TrainingSample; meta?: Uint8Array }>();
    for await (const m of readTar(await opts.store.getStream(tarKey), where)) {
      const key = wdsKey(m.name);
      if (!wanted.has(key)) continue;
      const slot = pending.get(key) ?? {};
      const format = imageExtOf(m.name);
      if (format) slot.image = { key, bytes: m.data, format };
      else if (m.name.endsWith('.json')) slot.meta = m.data;
      pending.set(key, slot);
      // Our tars put the image before its sidecar; a sample is complete when both (or the image alone, without
      // attributes wanted from the sidecars) have arrived.
      const done = slot.image && (slot.meta || opts.attributes !== 'dataset');
      if (done) {
        pending.delete(key);
        yield withMeta(slot.image!, slot.meta, opts, `${where}/${key}`);
      }
    }
    for (const [key, slot] of pending) {
      if (slot.image) yield withMeta(slot.image, slot.meta, opts, `${where}/${key}`);
    }
  }
}

function withMeta(
  sample: TrainingSample,
  meta: Uint8Array | undefined,
  opts: TrainingInputOptions,
  where: string,
): TrainingSample {
  const sidecar = meta ? parseSidecar(meta, where) : undefined;
  if (sidecar) sample.identity = sidecar.identity;
  if (opts.attributes === 'dataset') {
    if (!sidecar) throw new DatasetFormatError(where, 'no .json sidecar with attributes');
    sample.attributes = sidecar.attributes;
  } else if (opts.attributes !== 'none') {
    sample.attributes = lookup(opts.attributes, sample.key, where);
  }
  return sample;
}

function lookup(map: Map<string, Attributes>, key: string, where: string): Attributes {
  const attrs = map.get(key);
  if (!attrs) throw new DatasetFormatError(where, `no attributes for image ${key}`);
  return attrs;
}
