import type { IdentityEncoderSpec } from '../../api/index.ts';
import { datasetKeys, readDatasetCard } from '../dataset/index.ts';
import { loadEncoder } from '../encoder/loader.ts';
import { storeModelFiles } from '../encoder/model-files.ts';
import { defaultReportOptions, type LabelledImageSource, type ReportResult, reportDataset } from '../quality/index.ts';
import { type Store, scopedStore } from '../storage/index.ts';
import { embedderOf } from './embedder.ts';
import { datasetImages, folderImages } from './sources.ts';

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
  /** Where the report goes (default: report/ inside the set). */
  out?: Store;
  maxIdentities?: number;
  pairs?: number;
  contactSheetIdentities?: number;
  now: Date;
}

export class ReportInputError extends Error {
  override name = 'ReportInputError';
}

export async function reportOn(
  o: ReportOnOptions,
): Promise<ReportResult & { encoder: string; images: 'dataset' | 'folder' }> {
  const { source, kind, recorded, totals } = await sourceOf(o.store);
  const spec = o.encoder ?? recorded;
  if (!spec)
    throw new ReportInputError(
      `${o.store.root} records no encoder; pass --encoder MODEL_JSON (and its --input-size, --embedding-size)`,
    );
  const encoder = await loadEncoder(spec, storeModelFiles(o.open));
  try {
    const name = spec.name ?? spec.uri;
    const result = await reportDataset(
      source,
      embedderOf(encoder, name),
      o.out ?? scopedStore(o.store, 'report'),
      { dataset: o.store.root, encoder: name, createdAt: o.now.toISOString(), ...totals },
      {
        ...defaultReportOptions,
        prefix: '',
        ...(o.maxIdentities ? { maxIdentities: o.maxIdentities } : {}),
        ...(o.pairs ? { pairs: o.pairs } : {}),
        ...(o.contactSheetIdentities ? { contactSheetIdentities: o.contactSheetIdentities } : {}),
      },
    );
    return { ...result, encoder: name, images: kind };
  } finally {
    encoder.dispose();
  }
}

async function sourceOf(store: Store): Promise<{
  source: LabelledImageSource;
  kind: 'dataset' | 'folder';
  recorded?: IdentityEncoderSpec;
  totals: { totalIdentities?: number; totalImages?: number };
}> {
  if (await store.exists(datasetKeys.manifest)) {
    const card = await readDatasetCard(store);
    return {
      source: datasetImages(store, card),
      kind: 'dataset',
      ...(card.encoder?.spec ? { recorded: card.encoder.spec } : {}),
      totals: { totalIdentities: card.counts.identities, totalImages: card.counts.images },
    };
  }
  return { source: await folderImages(store), kind: 'folder', totals: {} };
}
