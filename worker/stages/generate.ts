import type { SyntheticDatasetJob } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { datasetKeys } from '../../io/output/index.ts';
import { describeOutput, runTask, type TaskOutput } from '../../io/tasks/index.ts';
import { tarIdentities, tarsOfTask } from '../../workflow/index.ts';
import {
  type CommittedTar,
  encodeImage,
  extOf,
  type ImageEncoding,
  readNpyRows,
  ShardWriter,
} from '../dataset/index.ts';
import { type SamplerModel, sample, samplerFromSpec } from '../diffusion/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { conditionMatrix } from '../model/index.ts';
import {
  type AttributeSource,
  embeddingConfig,
  type ImagePlan,
  identityEmbeddings,
  type PlanConfig,
  planFromSpec,
  planImage,
} from '../planner/index.ts';
import type { ProgressReporter, TaskContext } from '../runtime/index.ts';
import {
  loadEncoderFrom,
  loadPlannedModel,
  markersOf,
  recordedEncoderSpec,
  type SamplingModel,
  toRgbBytes,
  useBackend,
} from './common.ts';
import { attributeNames, attributeSourceOf, embeddingMapOf } from './plan.ts';

/**
 * generate (SyntheticDatasetJob, one task per contiguous range of tar files): Algorithm 3 step 4 — sample every image
 * of the task's identities with identity-preserving guidance (Algorithm 2), each from its own noise stream, and write
 * them tar by tar. Identities are staged as soon as all their images exist, so a stopped or killed task resumes with
 * the identities it has not staged; a tar becomes visible only when whole.
 */

interface Generator {
  ctx: TaskContext;
  job: SyntheticDatasetJob;
  cfg: PlanConfig;
  source: AttributeSource;
  model: SamplingModel;
  /** Planned (whitened) embeddings → conditioning embeddings (spec.embeddingSpace). */
  toConditioning: (w: Float32Array) => Float32Array;
  sampler: SamplerModel;
  encoding: ImageEncoding;
  progress: ProgressReporter;
  done: number;
  /** Keeps the dataset's hold on its planned checkpoint alive (a lease) while the task works. */
  renewHold: () => Promise<void>;
}

export async function generate(ctx: TaskContext): Promise<void> {
  const job = ctx.job as SyntheticDatasetJob;
  const markers = markersOf(ctx);
  await runTask(markers, { stage: 'generate', index: ctx.task }, async () => {
    if (!(await markers.isDone('plan', 0)))
      throw new Error('the plan stage has not finished; generate runs after plan');
    const compute = await useBackend(ctx);
    const model = await loadPlannedModel(ctx, job.spec.model.weights);
    const guidance = job.spec.sampler.guidanceScale > 0;
    const encoder = guidance
      ? await loadEncoderFrom(ctx, job.spec.encoder ?? recordedEncoderSpec(model, model.uri))
      : undefined;
    try {
      const { outputs, summary } = await generateTars(ctx, job, model, encoder);
      // The dataset card lists what computed each task's images (finalize gathers these).
      return { outputs, summary: { ...summary, compute } };
    } finally {
      encoder?.dispose();
    }
  });
}

async function generateTars(
  ctx: TaskContext,
  job: SyntheticDatasetJob,
  model: SamplingModel & { renewHold: () => Promise<void> },
  encoder: IdentityEncoder | undefined,
) {
  const { spec } = job;
  if (encoder && encoder.info.embeddingSize !== model.config.conditioning.embeddingSize) {
    throw new PermanentInputError(
      `encoder embeds in ${encoder.info.embeddingSize} dimensions; the model is conditioned on ${model.config.conditioning.embeddingSize}`,
    );
  }
  const [firstTar, endTar] = tarsOfTask(job, ctx.task);
  const tars = range(firstTar, endTar);
  const writers = await Promise.all(tars.map((tar) => ShardWriter.open(ctx.store, tarSpec(job, tar))));
  const totalImages = tars.reduce((n, tar) => n + tarSize(job, tar), 0);
  const pendingImages = writers.reduce((n, w) => n + w.pendingIdentities().length * spec.imagesPerIdentity, 0);
  const g: Generator = {
    ctx,
    job,
    cfg: planFromSpec(spec, {
      embeddingSize: model.config.conditioning.embeddingSize,
      attributeNames: attributeNames(model),
    }),
    source: attributeSourceOf(job, model),
    model,
    toConditioning: embeddingMapOf(spec.embeddingSpace, model),
    sampler: { ...model.sampler, ...(encoder ? { encoder } : {}) },
    encoding:
      spec.output.imageFormat === 'jpeg' ? { format: 'jpeg', quality: spec.output.jpegQuality } : { format: 'png' },
    progress: ctx.progress('images', totalImages),
    done: totalImages - pendingImages,
    renewHold: model.renewHold,
  };
  const committed: CommittedTar[] = [];
  for (const writer of writers) committed.push(await fillTar(g, writer));
  await g.progress.finish();
  const outputs: TaskOutput[] = [];
  for (const t of committed) {
    outputs.push(
      { key: t.key, bytes: t.bytes, sha256: t.sha256 },
      describeOutput(t.indexKey, await ctx.store.get(t.indexKey)),
    );
  }
  return { outputs, summary: { images: totalImages, tars: committed.map((t) => t.tar) } };
}

async function fillTar(g: Generator, writer: ShardWriter): Promise<CommittedTar> {
  const pending = new Set(writer.pendingIdentities());
  if (pending.size > 0) {
    const { tar, identitiesPerTar, identities } = writer.spec;
    const all = range(...tarIdentities(tar, identitiesPerTar, identities));
    const plans = all.flatMap((identity) =>
      range(0, g.job.spec.imagesPerIdentity).map((k) => planImage(g.cfg, g.source, identity, k)),
    );
    const anchors = await anchorRows(g, all);
    for (const batch of tarBatches(plans, g.job.spec.sampler.batchSize, pending)) {
      await sampleBatch(g, writer, batch, anchors, pending);
      if (g.ctx.signal.aborted) throw g.ctx.stopped();
      await g.renewHold();
    }
  }
  return writer.commit();
}

/**
 * The batches to sample for a tar's pending identities. Batches are cut from the whole tar, never from what is left
 * of it, so an image is always denoised beside the same companions whether or not an earlier attempt stopped halfway:
 * per-image noise makes images independent of their batch only up to floating-point rounding, and a resumed task must
 * write the same bytes. A batch without pending identities is skipped; one with some is sampled whole.
 */
export function tarBatches(plans: ImagePlan[], batchSize: number, pending: ReadonlySet<number>): ImagePlan[][] {
  const batches: ImagePlan[][] = [];
  for (let i = 0; i < plans.length; i += batchSize) {
    const batch = plans.slice(i, i + batchSize);
    if (batch.some((p) => pending.has(p.identity))) batches.push(batch);
  }
  return batches;
}

/** Anchor rows of the given identities (read with ranged requests from plan/anchors.npy). */
async function anchorRows(g: Generator, identities: number[]): Promise<Map<number, Float32Array>> {
  const first = Math.min(...identities);
  const count = Math.max(...identities) - first + 1;
  const rows = await readNpyRows(g.ctx.store, datasetKeys.planAnchors, first, count);
  const d = g.cfg.embeddingSize;
  return new Map(identities.map((id) => [id, rows.data.slice((id - first) * d, (id - first + 1) * d)]));
}

async function sampleBatch(
  g: Generator,
  writer: ShardWriter,
  plans: ImagePlan[],
  anchors: Map<number, Float32Array>,
  pending: ReadonlySet<number>,
): Promise<void> {
  const d = g.cfg.embeddingSize;
  const ec = embeddingConfig(g.cfg);
  const y = new Float32Array(plans.length * d);
  const perIdentity = new Map<number, Float32Array>();
  plans.forEach((p, i) => {
    if (!perIdentity.has(p.identity))
      perIdentity.set(p.identity, g.toConditioning(identityEmbeddings(anchors.get(p.identity)!, p.identity, ec)));
    y.set(perIdentity.get(p.identity)!.subarray(p.embedding * d, (p.embedding + 1) * d), i * d);
  });
  const cond = conditionMatrix(
    y,
    plans.map((p) => p.attributes),
    g.model.config.conditioning,
  );
  const started = performance.now();
  const pixels = await sample(g.sampler, samplerFromSpec(g.job.spec.sampler), {
    cond,
    y,
    noiseKeys: plans.map((p) => p.noise),
  });
  g.ctx.metrics.samplingSeconds.observe((performance.now() - started) / 1000 / plans.length);
  const size = g.model.config.unet.resolution;
  const rgb = toRgbBytes(pixels, plans.length);
  const kept = plans.filter((p) => pending.has(p.identity)).length;
  for (const [i, p] of plans.entries()) {
    if (!pending.has(p.identity)) continue; // staged by an earlier attempt; sampled again only as a companion
    const bytes = await encodeImage({ data: rgb[i]!, width: size, height: size, channels: 3 }, g.encoding);
    await writer.add({
      meta: {
        identity: p.identity,
        image: p.image,
        embedding: p.embedding,
        attributes: p.attributes,
        seed: g.job.spec.seed,
      },
      bytes,
    });
  }
  g.done += kept;
  g.ctx.metrics.imagesGenerated.inc(kept);
  await g.progress.update(g.done);
}

function tarSpec(job: SyntheticDatasetJob, tar: number) {
  const { spec } = job;
  return {
    tar,
    identitiesPerTar: spec.output.identitiesPerTar,
    identities: spec.identities,
    imagesPerIdentity: spec.imagesPerIdentity,
    format: extOf(spec.output.imageFormat),
  };
}

function tarSize(job: SyntheticDatasetJob, tar: number): number {
  const [a, b] = tarIdentities(tar, job.spec.output.identitiesPerTar, job.spec.identities);
  return (b - a) * job.spec.imagesPerIdentity;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i);
}
