import * as tf from '@tensorflow/tfjs';
import type { ID3TrainingJob } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { trainingKeys } from '../../io/output/index.ts';
import { describeOutput, runTask } from '../../io/tasks/index.ts';
import { contiguousRange } from '../../workflow/index.ts';
import {
  type Attributes,
  encodeJsonl,
  encodeNpy,
  readAttributesJsonl,
  readTrainingInput,
  trainingCatalog,
} from '../dataset/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import { loadEncoderFrom, markersOf, toDiffusionRange, useBackend } from './common.ts';
import { decodeSquare } from './images.ts';

/**
 * prepare (ID3TrainingJob, one task per contiguous range of the training images in key order): decode each image,
 * check it is an aligned square crop, resize it to the model's resolution, embed it with the frozen encoder (on FFHQ,
 * which has no identity labels, y is the embedding of the image itself) and attach its attributes. Writes
 * features/<task>.npy (embeddings) and features/<task>.jsonl (key and attributes per row), then the marker.
 */

export interface FeatureRow {
  key: string;
  attributes: Attributes;
}

const BATCH = 32;

export async function prepare(ctx: TaskContext): Promise<void> {
  const job = ctx.job as ID3TrainingJob;
  await runTask(markersOf(ctx), { stage: 'prepare', index: ctx.task }, async () => {
    await useBackend(ctx);
    const encoder = await loadEncoderFrom(ctx, job.spec.encoder);
    try {
      return await embedRange(ctx, job, encoder);
    } finally {
      encoder.dispose();
    }
  });
}

async function embedRange(ctx: TaskContext, job: ID3TrainingJob, encoder: IdentityEncoder) {
  const { spec } = job;
  const dataset = ctx.open(spec.dataset.uri);
  const count = await rangeSize(ctx, job);
  const progress = ctx.progress('images', count);
  const rows: (FeatureRow & { y: Float32Array })[] = [];
  const pending: { key: string; attributes: Attributes; rgb: Uint8Array }[] = [];
  const flush = async () => {
    const ys = await embedBatch(
      encoder,
      pending.map((p) => p.rgb),
      spec.model.resolution,
    );
    for (const [i, p] of pending.entries()) rows.push({ key: p.key, attributes: p.attributes, y: ys[i]! });
    ctx.metrics.imagesEmbedded.inc(pending.length);
    pending.length = 0;
    await progress.update(rows.length);
    if (ctx.signal.aborted) throw ctx.stopped();
  };
  for await (const sample of readTrainingInput({
    store: dataset,
    format: spec.dataset.format,
    seed: spec.training.seed,
    task: { index: ctx.task, count: spec.prepare.shards },
    ...(spec.dataset.maxImages ? { maxImages: spec.dataset.maxImages } : {}),
    attributes: await attributeSource(ctx, job),
  })) {
    const rgb = await decodeSquare(sample.bytes, spec.model.resolution, dataset.uri(sample.key));
    pending.push({ key: sample.key, attributes: checkAttributes(job, sample.key, sample.attributes), rgb });
    if (pending.length === BATCH) await flush();
  }
  if (pending.length) await flush();
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return writeFeatures(ctx, job, rows, encoder.info.embeddingSize, progress);
}

async function writeFeatures(
  ctx: TaskContext,
  job: ID3TrainingJob,
  rows: (FeatureRow & { y: Float32Array })[],
  d: number,
  progress: ReturnType<TaskContext['progress']>,
) {
  const npyKey = trainingKeys.features(ctx.task);
  const indexKey = trainingKeys.featuresIndex(ctx.task);
  const y = new Float32Array(rows.length * d);
  for (const [i, r] of rows.entries()) y.set(r.y, i * d);
  const npy = encodeNpy({ shape: [rows.length, d], data: y });
  const index = encodeJsonl(rows.map(({ key, attributes }) => ({ key, attributes })));
  await ctx.store.put(npyKey, npy);
  await ctx.store.put(indexKey, index);
  await progress.finish();
  ctx.logger.info({ images: rows.length, resolution: job.spec.model.resolution }, 'training images embedded');
  return {
    outputs: [describeOutput(npyKey, npy), describeOutput(indexKey, index)],
    summary: { images: rows.length, embeddingSize: d },
  };
}

/** Images in this task's range (the catalog is listed once more; cheap next to decoding). */
async function rangeSize(ctx: TaskContext, job: ID3TrainingJob): Promise<number> {
  const { spec } = job;
  let total = (await trainingCatalog(ctx.open(spec.dataset.uri), spec.dataset.format)).length;
  if (spec.dataset.maxImages) total = Math.min(total, spec.dataset.maxImages);
  if (total === 0)
    throw new PermanentInputError(`no images found in ${spec.dataset.uri} (format ${spec.dataset.format})`);
  const [start, end] = contiguousRange(total, spec.prepare.shards, ctx.task);
  return end - start;
}

async function attributeSource(
  ctx: TaskContext,
  job: ID3TrainingJob,
): Promise<'dataset' | 'none' | Map<string, Attributes>> {
  const a = job.spec.dataset.attributes;
  if (a.source === 'none' || job.spec.conditioning.attributes.length === 0) return 'none';
  if (a.source === 'dataset') return 'dataset';
  const uri = a.uri ?? '';
  const cut = uri.lastIndexOf('/');
  return readAttributesJsonl(ctx.open(uri.slice(0, cut)), uri.slice(cut + 1));
}

/** The conditioning attributes of one image, by name; training without attributes conditions on zeros. */
function checkAttributes(job: ID3TrainingJob, key: string, given: Attributes | undefined): Attributes {
  const names = job.spec.conditioning.attributes.map((a) => a.name);
  if (job.spec.dataset.attributes.source === 'none') return Object.fromEntries(names.map((n) => [n, 0]));
  const missing = names.filter((n) => typeof given?.[n] !== 'number');
  if (missing.length)
    throw new PermanentInputError(
      `image ${key} has no ${missing.join(', ')} attribute(s); spec.conditioning.attributes names them`,
    );
  return Object.fromEntries(names.map((n) => [n, given![n]!]));
}

async function embedBatch(encoder: IdentityEncoder, images: Uint8Array[], size: number): Promise<Float32Array[]> {
  const per = size * size * 3;
  const x = new Float32Array(images.length * per);
  for (const [i, rgb] of images.entries()) toDiffusionRange(rgb, x, i * per);
  const embedded = tf.tidy(() => encoder.embed(tf.tensor4d(x, [images.length, size, size, 3])));
  const out = (await embedded.data()) as Float32Array;
  embedded.dispose();
  const d = out.length / images.length;
  return images.map((_, i) => out.slice(i * d, (i + 1) * d));
}
