import { PermanentInputError } from '../../../api/index.ts';
/**
 * reportDataset: measures any labelled image set with an embedding model and writes report/metrics.json,
 * report/index.html and report/contact-sheet.png. Real renders and generated datasets go through the same function,
 * so their numbers compare.
 */
import { defaultQualityOptions, type QualityMetrics, type QualityOptions, qualityMetrics } from '../measures.ts';
import { embeddings } from '../vectors.ts';
import { contactSheetPng, defaultSheetOptions, type SheetPicture } from './contact-sheet.ts';
import { type ReportContext, reportHtml } from './html.ts';

export interface LabelledImage {
  key: string;
  identity: number;
  size: number;
  /** RGB bytes, size × size × 3. */
  pixels: Uint8Array;
  /** The identity embedding that conditioned the image, when it was generated. */
  conditioning?: Float32Array;
}

export interface LabelledImageSource {
  /** Every identity of the set, when known up front: lets the report sample identities without decoding the rest. */
  identities?: readonly number[];
  /** The images; `keep` says which identities the report will use, so a source may skip the others unread. */
  images(keep: (identity: number) => boolean): AsyncIterable<LabelledImage>;
}

/** Embeds images given in [−1, 1], NHWC, n × size × size × 3; returns n unit rows of `embeddingSize`. */
export interface Embedder {
  name: string;
  embeddingSize: number;
  embed(pixels: Float32Array, n: number, size: number): Float32Array;
}

/** Where report files go: a Store fits. */
export interface ReportSink {
  put(key: string, body: Uint8Array | string): Promise<void>;
}

export interface ReportOptions extends QualityOptions {
  maxIdentities: number;
  contactSheetIdentities: number;
  contactSheetPerIdentity: number;
  /** Key prefix of the report files. */
  prefix: string;
  batchSize: number;
  /** Contact sheets up to this size are inlined into index.html. */
  inlineSheetBytes: number;
}

export const defaultReportOptions: ReportOptions = {
  ...defaultQualityOptions,
  maxIdentities: 1000,
  contactSheetIdentities: 20,
  contactSheetPerIdentity: 10,
  prefix: 'report/',
  batchSize: 128,
  inlineSheetBytes: 1_500_000,
};

export interface ReportResult {
  metrics: QualityMetrics;
  files: string[];
}

export class ReportError extends PermanentInputError {
  override readonly name = 'ReportError';
}

/** A 32-bit integer hash (murmur3's finaliser over seed and label): stable ranks for identity sampling. */
function rank(seed: number, label: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ label;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The identities a report measures: all, or a sample of `max` chosen by a hash of each label (stable under reordering). */
export function sampleIdentities(identities: readonly number[], max: number, seed: number): Set<number> {
  if (identities.length <= max) return new Set(identities);
  const ranked = [...identities].sort((a, b) => rank(seed, a) - rank(seed, b) || a - b);
  return new Set(ranked.slice(0, max));
}

interface Collected {
  labels: number[];
  vectors: Float32Array[];
  conditioning: (Float32Array | undefined)[];
  sheet: Map<number, SheetPicture[]>;
  seen: Set<number>;
}

async function collect(source: LabelledImageSource, embedder: Embedder, o: ReportOptions): Promise<Collected> {
  const chosen = source.identities ? sampleIdentities(source.identities, o.maxIdentities, o.pairSeed) : undefined;
  const sheetIds = chosen ? new Set([...chosen].sort((a, b) => a - b).slice(0, o.contactSheetIdentities)) : undefined;
  const c: Collected = { labels: [], vectors: [], conditioning: [], sheet: new Map(), seen: new Set() };
  const keep = (id: number): boolean => (chosen ? chosen.has(id) : c.seen.has(id) || c.seen.size < o.maxIdentities);
  let pending: LabelledImage[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    c.vectors.push(embedBatch(embedder, pending));
    pending = [];
  };
  for await (const image of source.images(keep)) {
    if (!keep(image.identity)) continue;
    c.seen.add(image.identity);
    if (pending.length && (pending.length >= o.batchSize || pending[0]!.size !== image.size)) flush();
    pending.push(image);
    c.labels.push(image.identity);
    c.conditioning.push(image.conditioning);
    addToSheet(c, image, sheetIds, o);
  }
  flush();
  return c;
}

function addToSheet(c: Collected, image: LabelledImage, sheetIds: Set<number> | undefined, o: ReportOptions): void {
  const inSheet = sheetIds
    ? sheetIds.has(image.identity)
    : c.sheet.has(image.identity) || c.sheet.size < o.contactSheetIdentities;
  if (!inSheet) return;
  const row = c.sheet.get(image.identity) ?? [];
  if (row.length < o.contactSheetPerIdentity) row.push({ size: image.size, pixels: image.pixels });
  c.sheet.set(image.identity, row);
}

function embedBatch(embedder: Embedder, images: LabelledImage[]): Float32Array {
  const size = images[0]!.size;
  const plane = size * size * 3;
  const pixels = new Float32Array(images.length * plane);
  images.forEach((im, n) => {
    for (let i = 0; i < plane; i++) pixels[n * plane + i] = im.pixels[i]! / 127.5 - 1;
  });
  return embedder.embed(pixels, images.length, size);
}

function stack(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export async function reportDataset(
  source: LabelledImageSource,
  embedder: Embedder,
  sink: ReportSink,
  context: ReportContext,
  options: ReportOptions = defaultReportOptions,
): Promise<ReportResult> {
  const c = await collect(source, embedder, options);
  if (c.seen.size < 2) throw new ReportError(`need images of at least two identities, found ${c.seen.size}`);
  const d = embedder.embeddingSize;
  const known = c.conditioning.every((y) => y !== undefined && y.length === d);
  const { metrics, distributions } = qualityMetrics(
    {
      embeddings: embeddings(stack(c.vectors), d),
      labels: c.labels,
      conditioning: known ? embeddings(stack(c.conditioning as Float32Array[]), d) : undefined,
    },
    options,
  );
  const rows = [...c.sheet.keys()].sort((a, b) => a - b).map((id) => c.sheet.get(id)!);
  const sheet = await contactSheetPng(rows, defaultSheetOptions);
  const sheetKey = `${options.prefix}contact-sheet.png`;
  const dataUri =
    sheet.length <= options.inlineSheetBytes
      ? `data:image/png;base64,${Buffer.from(sheet).toString('base64')}`
      : undefined;
  const html = reportHtml(metrics, distributions, context, { dataUri, href: 'contact-sheet.png' });
  const metricsKey = `${options.prefix}metrics.json`;
  const htmlKey = `${options.prefix}index.html`;
  const record = { context: { ...context, encoder: embedder.name }, options, metrics };
  await sink.put(sheetKey, sheet);
  await sink.put(metricsKey, `${JSON.stringify(record, null, 2)}\n`);
  await sink.put(htmlKey, html);
  return { metrics, files: [metricsKey, htmlKey, sheetKey] };
}
