import * as tf from '@tensorflow/tfjs';
import type { ID3TrainingJob } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { trainingKeys } from '../../io/output/index.ts';
import { readMarkedOutput } from '../../io/tasks/index.ts';
import { PURPOSE, uniforms } from '../../random/index.ts';
import { type Attributes, decodeNpy, parseJsonl, readTrainingInput } from '../dataset/index.ts';
import type { TrainBatch } from '../diffusion/index.ts';
import { type ConditioningConfig, normalizeAttributes } from '../model/index.ts';
import { type EmbeddingSpace, fitEmbeddingSpace } from '../planner/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import { markersOf, toDiffusionRange } from './common.ts';
import { decodeSquare } from './images.ts';

/**
 * The training set in memory, as the prepare stage left it: every image at the model's resolution (8-bit), its
 * identity embedding y and its attributes. Batches are drawn epoch by epoch in an order that is a pure function of
 * (seed, epoch), so a run resumed at step k draws exactly the batches an uninterrupted run would have.
 */
export class TrainingData {
  private epoch = -1;
  private order: Uint32Array = new Uint32Array();
  private space: EmbeddingSpace | undefined;

  constructor(
    readonly images: Uint8Array,
    readonly y: Float32Array,
    readonly attributes: Attributes[],
    readonly size: number,
    readonly embeddingSize: number,
    private readonly seed: number,
  ) {}

  get count(): number {
    return this.attributes.length;
  }

  /** The batch of step k (1-based): rows (k−1)·B … k·B − 1 of the concatenated epoch orders. */
  batch(step: number, batchSize: number, cond: ConditioningConfig): TrainBatch {
    const per = this.size * this.size * 3;
    const x = new Float32Array(batchSize * per);
    const y = new Float32Array(batchSize * this.embeddingSize);
    const s: number[] = [];
    for (let r = 0; r < batchSize; r++) {
      const i = this.row((step - 1) * batchSize + r);
      toDiffusionRange(this.images.subarray(i * per, (i + 1) * per), x, r * per);
      y.set(this.y.subarray(i * this.embeddingSize, (i + 1) * this.embeddingSize), r * this.embeddingSize);
      s.push(...normalizeAttributes(this.attributes[i]!, cond));
    }
    return {
      x0: tf.tensor4d(x, [batchSize, this.size, this.size, 3]),
      y: tf.tensor2d(y, [batchSize, this.embeddingSize]),
      sNorm: tf.tensor2d(s, [batchSize, cond.attributes.length]),
    };
  }

  /** The empirical attribute pool (rows of raw values, in `names` order), recorded in checkpoints for dataset jobs. */
  attributePool(names: string[]): { names: string[]; values: Float32Array } {
    const values = new Float32Array(this.count * names.length);
    for (const [i, a] of this.attributes.entries()) {
      for (const [j, n] of names.entries()) values[i * names.length + j] = a[n] ?? 0;
    }
    return { names, values };
  }

  /** Mean and covariance of the training embeddings (computed once), for planning in the data's own space. */
  embeddingSpace(): EmbeddingSpace {
    this.space ??= fitEmbeddingSpace(this.y, this.embeddingSize);
    return this.space;
  }

  private row(position: number): number {
    const epoch = Math.floor(position / this.count);
    if (epoch !== this.epoch) {
      this.order = permutation(this.count, this.seed, epoch);
      this.epoch = epoch;
    }
    return this.order[position % this.count]!;
  }
}

/** Fisher–Yates with uniforms from the (seed, epoch) batch-order stream. */
export function permutation(n: number, seed: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const u = uniforms({ seed, a: epoch, b: 0, purpose: PURPOSE.batchOrder }, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u[i]! * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Reads every prepare task's features (checked against its marker) and the matching images from the dataset. */
export async function loadTrainingData(ctx: TaskContext, job: ID3TrainingJob): Promise<TrainingData> {
  const { spec } = job;
  const markers = await markersOf(ctx).listDone('prepare');
  if (markers.length !== spec.prepare.shards) {
    throw new Error(`prepare has ${markers.length} of ${spec.prepare.shards} tasks done; train runs after prepare`);
  }
  const keys: string[] = [];
  const attributes: Attributes[] = [];
  const ys: Float32Array[] = [];
  let d = 0;
  for (const m of markers) {
    const byKey = new Map(m.outputs.map((o) => [o.key, o]));
    const npy = decodeNpy(await readMarkedOutput(ctx.store, byKey.get(trainingKeys.features(m.index))!), 'features');
    const index = parseJsonl<{ key: string; attributes: Attributes }>(
      await readMarkedOutput(ctx.store, byKey.get(trainingKeys.featuresIndex(m.index))!),
      'features index',
    );
    d = npy.shape[1] ?? 0;
    ys.push(npy.data);
    for (const row of index) {
      keys.push(row.key);
      attributes.push(row.attributes);
    }
  }
  if (keys.length === 0) throw new PermanentInputError(`no training images in ${spec.dataset.uri}`);
  const y = new Float32Array(keys.length * d);
  let offset = 0;
  for (const part of ys) {
    y.set(part, offset);
    offset += part.length;
  }
  const images = await loadImages(ctx, job, keys);
  return new TrainingData(images, y, attributes, spec.model.resolution, d, spec.training.seed);
}

async function loadImages(ctx: TaskContext, job: ID3TrainingJob, keys: string[]): Promise<Uint8Array> {
  const { spec } = job;
  const size = spec.model.resolution;
  const per = size * size * 3;
  const limit = Number(ctx.env.ID3_TRAIN_CACHE_BYTES ?? 16 * 2 ** 30);
  if (keys.length * per > limit) {
    throw new PermanentInputError(
      `${keys.length} images at ${size}px need ${Math.ceil((keys.length * per) / 2 ** 30)} GiB in memory, above ID3_TRAIN_CACHE_BYTES (${limit} bytes); give the trainer more memory and raise it, or use dataset.maxImages`,
    );
  }
  const row = new Map(keys.map((k, i) => [k, i]));
  const images = new Uint8Array(keys.length * per);
  const dataset = ctx.open(spec.dataset.uri);
  let seen = 0;
  for await (const sample of readTrainingInput({
    store: dataset,
    format: spec.dataset.format,
    seed: 0,
    attributes: 'none',
  })) {
    const i = row.get(sample.key);
    if (i === undefined) continue;
    images.set(await decodeSquare(sample.bytes, size, dataset.uri(sample.key)), i * per);
    if (++seen % 256 === 0 && ctx.signal.aborted) throw ctx.stopped();
  }
  if (seen !== keys.length)
    throw new PermanentInputError(`${keys.length - seen} prepared images are no longer in ${spec.dataset.uri}`);
  ctx.logger.info({ images: seen, size }, 'training images loaded');
  return images;
}
