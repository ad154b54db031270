import * as tf from '@tensorflow/tfjs';
import type { ID3TrainingJob, ID3TrainingJobStatusEvaluation } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { jobKeys, trainingKeys } from '../../io/output/index.ts';
import { jsonBytes, scopedStore } from '../../io/storage/index.ts';
import { describeOutput, runTask } from '../../io/tasks/index.ts';
import { type SamplerModel, sample, samplerFromSpec } from '../diffusion/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { conditionMatrix } from '../model/index.ts';
import { type ImagePlan, planAnchors, planFromSpec, planIdentityEmbeddings, planImage } from '../planner/index.ts';
import { defaultReportOptions, type LabelledImage, reportDataset } from '../quality/index.ts';
import { embedderOf } from '../reporting/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import { loadEncoderFrom, loadSamplingModel, markersOf, type SamplingModel, toRgbBytes, useBackend } from './common.ts';
import { attributeNames, embeddingMapOf } from './plan.ts';

/**
 * evaluate (ID3TrainingJob, one task): samples a grid of new identities from the trained model (EMA weights) with
 * identity guidance and, from the same noise, without it (the paper's ablation), and measures identity consistency —
 * mean cos(y, f(image)) — for both; writes report/ (metrics, HTML, contact sheet) and the headline numbers. An
 * evaluation of an older checkpoint than the latest (the trainer trained on after its steps were raised) is redone.
 */
export async function evaluate(ctx: TaskContext): Promise<void> {
  const job = ctx.job as ID3TrainingJob;
  const markers = markersOf(ctx);
  const done = await markers.read('evaluate', 0);
  const latest = done ? await new CheckpointStore(scopedStore(ctx.store, 'checkpoints')).latest() : undefined;
  if (done && latest && Number(done.summary?.step) !== latest.step) await markers.clear('evaluate', 0);
  await runTask(markers, { stage: 'evaluate', index: 0 }, async () => {
    await useBackend(ctx);
    const model = await loadSamplingModel(ctx, ctx.store.uri('checkpoints'), 'ema');
    const encoder = await loadEncoderFrom(ctx, job.spec.encoder);
    try {
      return await evaluateModel(ctx, job, model, encoder);
    } finally {
      encoder.dispose();
    }
  });
}

async function evaluateModel(ctx: TaskContext, job: ID3TrainingJob, model: SamplingModel, encoder: IdentityEncoder) {
  const e = job.spec.evaluate;
  if (!model.info.attributePool) throw new PermanentInputError(`checkpoint ${model.uri} has no attribute pool`);
  const cfg = planFromSpec(
    {
      seed: job.spec.training.seed + 1,
      identities: e.identities,
      imagesPerIdentity: e.imagesPerIdentity,
      embeddingsPerIdentity: e.imagesPerIdentity,
      anchorSimilarity: { lb: 0.7, ub: 0.9 },
      anchors: { steps: 100, temperature: 0.05, learningRate: 0.1 },
    },
    { embeddingSize: model.config.conditioning.embeddingSize, attributeNames: attributeNames(model) },
  );
  const { anchors } = await planAnchors(cfg);
  const y = embeddingMapOf(
    e.embeddingSpace,
    model,
    'spec.evaluate.embeddingSpace',
  )(planIdentityEmbeddings(cfg, anchors, { start: 0, end: e.identities }));
  const source = { kind: 'pool' as const, pool: model.info.attributePool };
  const plans = Array.from({ length: e.identities * e.imagesPerIdentity }, (_, i) =>
    planImage(cfg, source, Math.floor(i / e.imagesPerIdentity), i % e.imagesPerIdentity),
  );
  const sampler: SamplerModel = {
    ...model.sampler,
    encoder,
  };
  const progress = ctx.progress('tasks', 1);
  const guided = await sampleAll(
    ctx,
    sampler,
    job,
    plans,
    y,
    cfg.embeddingSize,
    model,
    job.spec.evaluate.sampler.guidanceScale,
  );
  const unguided = await sampleAll(ctx, sampler, job, plans, y, cfg.embeddingSize, model, 0);
  const size = model.config.unet.resolution;
  const evaluation: ID3TrainingJobStatusEvaluation = {
    identityConsistency: await consistency(encoder, guided, plans, y, cfg.embeddingSize, e.imagesPerIdentity, size),
    identityConsistencyUnguided: await consistency(
      encoder,
      unguided,
      plans,
      y,
      cfg.embeddingSize,
      e.imagesPerIdentity,
      size,
    ),
  };
  const images: LabelledImage[] = toRgbBytes(guided, plans.length).map((pixels, i) => ({
    key: `${plans[i]!.identity}_${plans[i]!.image}`,
    identity: plans[i]!.identity,
    size,
    pixels,
    conditioning: conditioningOf(plans[i]!, y, cfg.embeddingSize, e.imagesPerIdentity).slice(),
  }));
  const report = await reportDataset(
    {
      identities: [...new Set(plans.map((p) => p.identity))],
      images: async function* () {
        yield* images;
      },
    },
    embedderOf(encoder, job.spec.encoder.name ?? job.spec.encoder.uri),
    scopedStore(ctx.store, 'report'),
    {
      dataset: `${model.uri} (${plans.length} evaluation samples)`,
      encoder: job.spec.encoder.name ?? job.spec.encoder.uri,
      createdAt: new Date().toISOString(),
    },
    {
      ...defaultReportOptions,
      prefix: '',
      pairs: Math.min(defaultReportOptions.pairs, plans.length * 4),
      contactSheetIdentities: e.identities,
      contactSheetPerIdentity: e.imagesPerIdentity,
    },
  );
  const record = jsonBytes({ step: model.step, checkpoint: model.uri, ...evaluation });
  await ctx.store.put('report/evaluation.json', record);
  await ctx.store.put(jobKeys.outputs, jsonBytes({ reportURI: ctx.store.uri(trainingKeys.reportHtml), evaluation }));
  await progress.finish();
  ctx.logger.info({ ...evaluation, step: model.step }, 'evaluation written');
  return {
    outputs: [describeOutput('report/evaluation.json', record)],
    summary: { ...evaluation, files: report.files },
  };
}

async function sampleAll(
  ctx: TaskContext,
  sampler: SamplerModel,
  job: ID3TrainingJob,
  plans: ImagePlan[],
  y: Float32Array,
  d: number,
  model: SamplingModel,
  guidanceScale: number,
): Promise<Float32Array> {
  const cfg = { ...samplerFromSpec(job.spec.evaluate.sampler), guidanceScale };
  const parts: Float32Array[] = [];
  for (let i = 0; i < plans.length; i += cfg.batchSize) {
    const batch = plans.slice(i, i + cfg.batchSize);
    const yb = new Float32Array(batch.length * d);
    for (const [j, p] of batch.entries()) yb.set(conditioningOf(p, y, d, job.spec.evaluate.imagesPerIdentity), j * d);
    const cond = conditionMatrix(
      yb,
      batch.map((p) => p.attributes),
      model.config.conditioning,
    );
    parts.push(await sample(sampler, cfg, { cond, y: yb, noiseKeys: batch.map((p) => p.noise) }));
    if (ctx.signal.aborted) throw ctx.stopped();
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** y_ij of an image: row (identity·m + j) of the [identities × m × d] embeddings. */
function conditioningOf(p: ImagePlan, y: Float32Array, d: number, m: number): Float32Array {
  const row = p.identity * m + p.embedding;
  return y.subarray(row * d, (row + 1) * d);
}

/** Mean cos(y_ij, f(image)) over the images. */
async function consistency(
  encoder: IdentityEncoder,
  pixels: Float32Array,
  plans: ImagePlan[],
  y: Float32Array,
  d: number,
  m: number,
  size: number,
): Promise<number> {
  const embedded = tf.tidy(() => encoder.embed(tf.tensor4d(pixels, [plans.length, size, size, 3])));
  const f = (await embedded.data()) as Float32Array;
  embedded.dispose();
  let total = 0;
  plans.forEach((p, i) => {
    const yi = conditioningOf(p, y, d, m);
    let dot = 0;
    for (let k = 0; k < d; k++) dot += yi[k]! * f[i * d + k]!;
    total += dot;
  });
  return total / plans.length;
}
