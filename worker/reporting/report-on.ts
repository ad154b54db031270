import type { IdentityEncoderSpec } from '../../api/index.ts';
import { storeModelFiles } from '../../io/models/index.ts';
import { datasetKeys } from '../../io/output/index.ts';
import { StorageError, type Store, scopedStore } from '../../io/storage/index.ts';
import { readDatasetCard } from '../dataset/index.ts';
import { EncoderLoadError, loadEncoder } from '../encoder/index.ts';
import { defaultReportOptions, type LabelledImageSource, type ReportResult, reportDataset } from '../quality/index.ts';
import { embedderOf } from './embedder.ts';
import { datasetImages, folderImages, ReportInputError } from './sources.ts';

/**
 * `id3 report` as a library call: measures any labelled image set — a finished id3 dataset, a labelled image folder
 * or a folder-per-identity export — with an identity encoder, and writes report/metrics.json, report/index.html and
 * report/contact-sheet.png. A dataset is measured by default with the encoder that guided it (its card records it).
 */
export interface ReportOnOptions {
  store: Store;
  open: (uri: string) => Store;
  /** The encoder that measures; defaults to the dataset card's guiding encoder. */
  encoder?: IdentityEncoderSpec;
  /**
   * Where the report goes. Default: report/ inside an image folder; inside a finished dataset,
   * reports/<encoder>/ — its report/ and its card's quality numbers are its job's (one source of truth), never
   * written over by another measurement.
   */
  out?: Store;
  maxIdentities?: number;
  pairs?: number;
  contactSheetIdentities?: number;
  now: Date;
}

export { ReportInputError };

export async function reportOn(
  o: ReportOnOptions,
): Promise<ReportResult & { encoder: string; images: 'dataset' | 'folder'; location: string }> {
  // Identity consistency compares samples with the embeddings that conditioned them, so only the encoder that made
  // those embeddings can measure it; another encoder still measures everything between identities.
  const foreign = o.encoder !== undefined && o.encoder.uri !== (await recordedEncoder(o.store))?.uri;
  const { source, kind, recorded, totals } = await sourceOf(o.store, !foreign);
  const spec = o.encoder ?? recorded;
  if (!spec)
    throw new ReportInputError(
      `${o.store.root} records no encoder; pass --encoder MODEL_JSON (and its --input-size, --embedding-size)`,
    );
  const encoder = await loadEncoder(spec, storeModelFiles(o.open)).catch((err: unknown) => {
    // A model that is missing or does not fit the flags is the user's to fix; a storage hiccup is not.
    const cause = err instanceof EncoderLoadError ? err.cause : undefined;
    if (!(err instanceof EncoderLoadError) || (cause instanceof StorageError && cause.retryable)) throw err;
    throw new ReportInputError(
      `${err.message}; check --encoder and that --input-size and --embedding-size match the model (the bundled encoder: 32 and 128)`,
    );
  });
  try {
    const name = spec.name ?? spec.uri;
    const out = o.out ?? scopedStore(o.store, kind === 'dataset' ? `reports/${slug(name)}` : 'report');
    const result = await reportDataset(
      source,
      embedderOf(encoder, name),
      out,
      { dataset: o.store.root, encoder: name, createdAt: o.now.toISOString(), ...totals },
      {
        ...defaultReportOptions,
        prefix: '',
        ...(o.maxIdentities ? { maxIdentities: o.maxIdentities } : {}),
        ...(o.pairs ? { pairs: o.pairs } : {}),
        ...(o.contactSheetIdentities ? { contactSheetIdentities: o.contactSheetIdentities } : {}),
      },
    );
    return { ...result, encoder: name, images: kind, location: out.uri('') };
  } finally {
    encoder.dispose();
  }
}

async function recordedEncoder(store: Store): Promise<IdentityEncoderSpec | undefined> {
  if (!(await store.exists(datasetKeys.manifest))) return undefined;
  return (await readDatasetCard(store)).encoder?.spec;
}

async function sourceOf(
  store: Store,
  conditioning: boolean,
): Promise<{
  source: LabelledImageSource;
  kind: 'dataset' | 'folder';
  recorded?: IdentityEncoderSpec;
  totals: { totalIdentities?: number; totalImages?: number };
}> {
  if (await store.exists(datasetKeys.manifest)) {
    const card = await readDatasetCard(store);
    return {
      source: datasetImages(store, card, conditioning),
      kind: 'dataset',
      ...(card.encoder?.spec ? { recorded: card.encoder.spec } : {}),
      totals: { totalIdentities: card.counts.identities, totalImages: card.counts.images },
    };
  }
  return { source: await folderImages(store), kind: 'folder', totals: {} };
}

/** A folder name for a report made with `encoder` (a name or a URI): its last path segment, safe characters only. */
export function slug(encoder: string): string {
  // A model.json names its folder: models/face-encoder/model.json is "face-encoder".
  const last =
    encoder
      .replace(/\/model\.json$|\/+$/, '')
      .split('/')
      .pop() ?? encoder;
  const safe = last
    .replace(/\.json$|\.onnx$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return (safe || 'encoder').slice(0, 64);
}
