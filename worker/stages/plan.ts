import { createHash } from 'node:crypto';
import type { SyntheticDatasetJob } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { datasetKeys, jobKeys } from '../../io/output/index.ts';
import { jsonBytes } from '../../io/storage/index.ts';
import { describeOutput, runTask, type TaskOutput } from '../../io/tasks/index.ts';
import { encodeJsonl, float32Bytes, npyHeader } from '../dataset/index.ts';
import {
  type AttributeSource,
  AttributeSourceError,
  checkAttributeSource,
  embeddingConfig,
  identityEmbeddings,
  maxPairwiseCosine,
  type PlanConfig,
  planAnchors,
  planFromSpec,
  planImage,
  toEmbeddingSpace,
} from '../planner/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import {
  loadSamplingModel,
  markersOf,
  type PlannedCheckpoint,
  resolveAndHold,
  type SamplingModel,
  useBackend,
} from './common.ts';

/**
 * plan (SyntheticDatasetJob, one task): Algorithm 3's steps 1–3 for the whole dataset. Places the N anchors on the
 * unit hypersphere (Tammes), draws m identity embeddings per identity around its anchor (Eq. 9) and an attribute draw
 * per image, and writes them as plan/anchors.npy, plan/embeddings.npy, plan/attributes.jsonl and plan/plan.json.
 * Everything derives from the dataset seed, so generate tasks recompute what they need and never depend on order.
 */

const BLOCK_IDENTITIES = 256;

export async function plan(ctx: TaskContext): Promise<void> {
  const job = ctx.job as SyntheticDatasetJob;
  await runTask(markersOf(ctx), { stage: 'plan', index: 0 }, async () => {
    await useBackend(ctx);
    const chosen = await resolveAndHold(ctx, job.spec.model.checkpointURI ?? '');
    const model = await loadSamplingModel(ctx, chosen.uri, job.spec.model.weights);
    const cfg = planFromSpec(job.spec, {
      embeddingSize: model.config.conditioning.embeddingSize,
      attributeNames: attributeNames(model),
    });
    const source = attributeSourceOf(job, model);
    const progress = ctx.progress('tasks', 1);
    const started = Date.now();
    const tammes = await planAnchors(cfg, async (step) => {
      if (step % 10 === 0) await progress.update(0);
      if (ctx.signal.aborted) throw ctx.stopped();
    });
    const toConditioning = embeddingMapOf(job.spec.embeddingSpace, model);
    const outputs = [
      await putWithDigest(
        ctx,
        datasetKeys.planAnchors,
        chunksOf([npyHeader([cfg.identities, cfg.embeddingSize]), float32Bytes(tammes.anchors)]),
      ),
      await putWithDigest(ctx, datasetKeys.planEmbeddings, embeddingChunks(cfg, tammes.anchors, toConditioning)),
      await putWithDigest(ctx, datasetKeys.planAttributes, attributeChunks(cfg, source)),
    ];
    const summary = {
      identities: cfg.identities,
      embeddingSize: cfg.embeddingSize,
      embeddingsPerIdentity: cfg.embeddingsPerIdentity,
      imagesPerIdentity: cfg.imagesPerIdentity,
      anchorSimilarity: cfg.anchorSimilarity,
      embeddingSpace: job.spec.embeddingSpace,
      anchors: {
        ...cfg.anchors,
        maxCosine: tammes.maxCosine,
        initialMaxCosine: tammes.initialMaxCosine,
        // With embeddingSpace data the anchors (anchors.npy, maxCosine) live in whitened coordinates; this is the
        // separation the encoder sees.
        ...(job.spec.embeddingSpace === 'data'
          ? {
              encoderSpaceMaxCosine: await maxPairwiseCosine(
                toConditioning(tammes.anchors),
                cfg.embeddingSize,
                cfg.anchors.blockSize,
              ),
            }
          : {}),
      },
      attributes:
        source.kind === 'pool'
          ? { source: 'pool', rows: source.pool.values.length / source.pool.names.length }
          : { source: 'ranges', ranges: source.ranges },
      checkpoint: { uri: model.uri, step: model.step, held: chosen.held } satisfies PlannedCheckpoint,
      seconds: (Date.now() - started) / 1000,
    };
    const summaryBytes = jsonBytes(summary);
    await ctx.store.put(datasetKeys.planSummary, summaryBytes);
    // The step the images come from, for the job's status from now on (finalize publishes it again with the rest).
    await ctx.store.put(jobKeys.outputs, jsonBytes({ checkpointURI: model.uri }));
    outputs.push(describeOutput(datasetKeys.planSummary, summaryBytes));
    await progress.finish();
    ctx.logger.info(
      { maxCosine: tammes.maxCosine, initialMaxCosine: tammes.initialMaxCosine, identities: cfg.identities },
      'plan written',
    );
    return { outputs, summary: { maxCosine: tammes.maxCosine } };
  });
}

/**
 * How planned (whitened) embeddings become conditioning embeddings: unchanged for embeddingSpace sphere (the paper),
 * mapped by the training embeddings' statistics for data (planner/embedding-space.ts).
 */
export function embeddingMapOf(
  space: 'sphere' | 'data',
  model: SamplingModel,
  field = 'spec.embeddingSpace',
): (w: Float32Array) => Float32Array {
  if (space === 'sphere') return (w) => w;
  const stats = model.info.embeddingSpace;
  if (!stats)
    throw new PermanentInputError(
      `${field} is data, but checkpoint ${model.uri} records no training-embedding statistics (trained before they were recorded); set ${field}: sphere or train it again`,
    );
  return (w) => toEmbeddingSpace(stats, w);
}

export function attributeNames(model: SamplingModel): string[] {
  return model.config.conditioning.attributes.map((a) => a.name);
}

/** The job's attribute source, checked against what the model is conditioned on. */
export function attributeSourceOf(job: SyntheticDatasetJob, model: SamplingModel): AttributeSource {
  const source: AttributeSource | undefined =
    job.spec.attributes.source === 'ranges'
      ? { kind: 'ranges', ranges: job.spec.attributes.ranges ?? [] }
      : model.info.attributePool && { kind: 'pool', pool: model.info.attributePool };
  if (!source)
    throw new PermanentInputError(
      `checkpoint ${model.uri} has no attribute pool; set spec.attributes.source: ranges with ranges`,
    );
  try {
    checkAttributeSource(source, attributeNames(model));
  } catch (err) {
    if (err instanceof AttributeSourceError) throw new PermanentInputError(err.message, { cause: err });
    throw err;
  }
  return source;
}

async function* chunksOf(parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* parts;
}

async function* embeddingChunks(
  cfg: PlanConfig,
  anchors: Float32Array,
  toConditioning: (w: Float32Array) => Float32Array,
): AsyncIterable<Uint8Array> {
  const d = cfg.embeddingSize;
  yield npyHeader([cfg.identities * cfg.embeddingsPerIdentity, d]);
  const ec = embeddingConfig(cfg);
  for (let start = 0; start < cfg.identities; start += BLOCK_IDENTITIES) {
    const end = Math.min(cfg.identities, start + BLOCK_IDENTITIES);
    const block = new Float32Array((end - start) * cfg.embeddingsPerIdentity * d);
    for (let i = start; i < end; i++) {
      block.set(
        toConditioning(identityEmbeddings(anchors.subarray(i * d, (i + 1) * d), i, ec)),
        (i - start) * cfg.embeddingsPerIdentity * d,
      );
    }
    yield float32Bytes(block);
  }
}

async function* attributeChunks(cfg: PlanConfig, source: AttributeSource): AsyncIterable<Uint8Array> {
  for (let start = 0; start < cfg.identities; start += BLOCK_IDENTITIES) {
    const lines = [];
    for (let i = start; i < Math.min(cfg.identities, start + BLOCK_IDENTITIES); i++) {
      for (let k = 0; k < cfg.imagesPerIdentity; k++) {
        const p = planImage(cfg, source, i, k);
        lines.push({ identity: i, image: k, embedding: p.embedding, attributes: p.attributes });
      }
    }
    yield encodeJsonl(lines);
  }
}

/** Streams an object to storage while hashing it, for the task marker. */
async function putWithDigest(ctx: TaskContext, key: string, chunks: AsyncIterable<Uint8Array>): Promise<TaskOutput> {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* tee(): AsyncIterable<Uint8Array> {
    for await (const c of chunks) {
      hash.update(c);
      bytes += c.byteLength;
      yield c;
    }
  }
  await ctx.store.put(key, tee());
  return { key, bytes, sha256: hash.digest('hex') };
}
