import { PermanentInputError } from '../../api/index.ts';
import { datasetKeys } from '../../io/output/index.ts';
import { ObjectNotFoundError, type Store } from '../../io/storage/index.ts';
import { type DatasetCard, decodeImage, parseJsonl, parseSidecar, readNpyRows, readTar } from '../dataset/index.ts';
import type { LabelledImage, LabelledImageSource } from '../quality/index.ts';

/**
 * Labelled images for the quality report, from the layouts this project reads: a finished id3 dataset (WebDataset
 * tars, with the conditioning embedding of every image from plan/embeddings.npy), a labelled image folder
 * (labels.jsonl, as `id3 fixtures faces` writes it), or a folder-per-identity export (images/000123/007.png).
 */

/**
 * A finished dataset's images in (identity, image) order, each with the embedding that conditioned it — unless
 * `conditioning` is false: an encoder other than the one that made those embeddings cannot be compared with them.
 */
export function datasetImages(store: Store, card: DatasetCard, conditioning = true): LabelledImageSource {
  const m = card.config?.embeddingsPerIdentity ?? 1;
  let cached: { identity: number; rows: Float32Array; d: number } | undefined;
  const conditioningOf = async (identity: number, embedding: number): Promise<Float32Array | undefined> => {
    if (!conditioning) return undefined;
    if (cached?.identity !== identity) {
      // A dataset without its plan has no conditioning to compare with; any other failure is the storage's to report.
      const rows = await readNpyRows(store, datasetKeys.planEmbeddings, identity * m, m).catch((err: unknown) => {
        if (err instanceof ObjectNotFoundError) return undefined;
        throw err;
      });
      if (!rows) return undefined;
      cached = { identity, rows: rows.data, d: rows.shape[1] ?? 0 };
    }
    return cached.rows.slice(embedding * cached.d, (embedding + 1) * cached.d);
  };
  return {
    identities: Array.from({ length: card.counts.identities }, (_, i) => i),
    async *images(keep) {
      for (const tar of card.files.shards) {
        if (rangeWanted(tar.identities, keep)) yield* tarImages(store, tar.key, keep, conditioningOf);
      }
    },
  };
}

/** The wanted images of one tar: each image member, then its sidecar, which names its identity and embedding. */
async function* tarImages(
  store: Store,
  key: string,
  keep: (identity: number) => boolean,
  conditioningOf: (identity: number, embedding: number) => Promise<Float32Array | undefined>,
): AsyncGenerator<LabelledImage> {
  let pixels: { name: string; data: Uint8Array; size: number } | undefined;
  for await (const member of readTar(await store.getStream(key), store.uri(key))) {
    if (!member.name.endsWith('.json')) {
      if (!keep(Number.parseInt(member.name, 10))) continue;
      const img = await decodeImage(member.data, member.name);
      pixels = { name: member.name, data: img.data, size: img.width };
      continue;
    }
    const meta = parseSidecar(member.data, member.name);
    if (!pixels || !keep(meta.identity)) continue;
    const y = await conditioningOf(meta.identity, meta.embedding);
    yield {
      key: pixels.name,
      identity: meta.identity,
      size: pixels.size,
      pixels: pixels.data,
      ...(y ? { conditioning: y } : {}),
    };
    pixels = undefined;
  }
}

function rangeWanted([first, end]: [number, number], keep: (id: number) => boolean): boolean {
  for (let id = first; id < end; id++) if (keep(id)) return true;
  return false;
}

/** Input `id3 report` cannot measure (no images, no encoder, an encoder that does not fit its flags): exit 65. */
export class ReportInputError extends PermanentInputError {
  override name = 'ReportInputError';
}

/** Images named by labels.jsonl ({key, identity}), or laid out as images/<identity>/<image>.<ext>. */
export async function folderImages(store: Store): Promise<LabelledImageSource> {
  const entries = (await labelsOf(store)) ?? (await byFolder(store));
  if (entries.length === 0)
    throw new ReportInputError(
      `no labelled images in ${store.root} (expected a dataset's manifest.json, labels.jsonl, or images/<identity>/<image>.png); check the path`,
    );
  return {
    identities: [...new Set(entries.map((e) => e.identity))].sort((a, b) => a - b),
    async *images(keep) {
      for (const e of entries) {
        if (!keep(e.identity)) continue;
        const img = await decodeImage(await store.get(e.object), store.uri(e.object));
        const image: LabelledImage = { key: e.object, identity: e.identity, size: img.width, pixels: img.data };
        yield image;
      }
    },
  };
}

interface Entry {
  object: string;
  identity: number;
}

async function labelsOf(store: Store): Promise<Entry[] | undefined> {
  if (!(await store.exists('labels.jsonl'))) return undefined;
  const lines = parseJsonl<{ key: string; identity: number }>(
    await store.get('labels.jsonl'),
    store.uri('labels.jsonl'),
  );
  const objects = new Map<string, string>();
  for await (const o of store.list('')) {
    const dot = o.key.lastIndexOf('.');
    if (/\.(png|jpe?g)$/i.test(o.key)) objects.set(o.key.slice(0, dot), o.key);
  }
  return lines.filter((l) => objects.has(l.key)).map((l) => ({ object: objects.get(l.key)!, identity: l.identity }));
}

async function byFolder(store: Store): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const o of store.list('images/')) {
    const m = /^images\/(\d+)\/[^/]+\.(png|jpe?g)$/i.exec(o.key);
    if (m) out.push({ object: o.key, identity: Number(m[1]) });
  }
  return out;
}
