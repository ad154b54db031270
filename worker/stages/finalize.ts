import type { SyntheticDatasetJob, SyntheticDatasetJobStatusQuality } from '../../api/index.ts';

import { releaseDatasetHold } from '../../io/checkpoints/index.ts';
import { datasetKeys, jobKeys } from '../../io/output/index.ts';
import { jsonBytes, scopedStore } from '../../io/storage/index.ts';
import { describeOutput, runTask, type TaskMarker, type TaskOutput } from '../../io/tasks/index.ts';
import { tarCount } from '../../workflow/index.ts';
import {
  buildDatasetCard,
  type ComputeRecord,
  type DatasetCardInput,
  type ExportFormat,
  exportDataset,
  type TarRecord,
  writeDatasetCard,
} from '../dataset/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import {
  defaultReportOptions,
  type LabelledImageSource,
  type QualityMetrics,
  reportDataset,
} from '../quality/index.ts';
import { datasetImages, embedderOf } from '../reporting/index.ts';
import type { TaskContext } from '../runtime/index.ts';
import { loadEncoderFrom, loadPlannedModel, markersOf, recordedEncoderSpec, useBackend } from './common.ts';

/**
 * finalize (SyntheticDatasetJob, one task): checks every tar is committed, merges the per-tar indexes into
 * index.jsonl, writes the dataset card (manifest.json), the requested exports, and the quality report, then publishes
 * the manifest, report and headline numbers for the job's status (status/outputs.json).
 */
export async function finalize(ctx: TaskContext): Promise<void> {
  const job = ctx.job as SyntheticDatasetJob;
  const markers = markersOf(ctx);
  await runTask(markers, { stage: 'finalize', index: 0 }, async () => {
    const generated = await markers.listDone('generate');
    const tars = await committedTars(ctx, job, generated);
    const index = await mergeIndexes(ctx, tars);
    await useBackend(ctx);
    const model = await loadPlannedModel(ctx, job.spec.model.weights);
    const guidingSpec = job.spec.encoder ?? recordedEncoderSpec(model, model.uri);
    const plan = (await markers.read('plan', 0))?.summary;
    const card: DatasetCardInput = {
      name: job.metadata.name,
      spec: job.spec,
      createdAt: new Date().toISOString(),
      generatorVersion: '0.1.0',
      image: { width: model.config.unet.resolution, height: model.config.unet.resolution },
      model: { checkpointURI: model.uri, step: model.step, weights: job.spec.model.weights, config: model.config },
      encoder: {
        uri: guidingSpec.uri,
        name: guidingSpec.name ?? guidingSpec.uri,
        embeddingSize: guidingSpec.embeddingSize,
        spec: guidingSpec,
      },
      ...(plan ? { plan } : {}),
      tars,
      compute: computeOf(generated),
    };
    const draft = buildDatasetCard(card);
    await writeDatasetCard(ctx.store, draft);
    const exports = await writeExports(ctx, job);
    const quality = job.spec.quality.enabled
      ? await measure(ctx, job, guidingSpec, datasetImages(ctx.store, draft))
      : undefined;
    const finalCard = buildDatasetCard({ ...card, exports, ...(quality ? { quality } : {}) });
    await writeDatasetCard(ctx.store, finalCard);
    const outputs: TaskOutput[] = [
      index,
      describeOutput(datasetKeys.manifest, await ctx.store.get(datasetKeys.manifest)),
    ];
    await publish(ctx, model.uri, quality);
    return { outputs, summary: { images: tars.reduce((n, t) => n + t.images, 0), tars: tars.length } };
  });
  // After the done marker: a finalize killed before it runs again, and needs the planned checkpoint to be there.
  await releaseDatasetHold(ctx.store, ctx.open, (obj, msg) => ctx.logger.warn(obj, msg));
}

async function committedTars(ctx: TaskContext, job: SyntheticDatasetJob, done: TaskMarker[]): Promise<TarRecord[]> {
  if (done.length !== job.spec.sharding.shards) {
    throw new Error(
      `generate has ${done.length} of ${job.spec.sharding.shards} tasks done; finalize runs after generate`,
    );
  }
  const records: TarRecord[] = [];
  for (let k = 0; k < tarCount(job.spec.identities, job.spec.output.identitiesPerTar); k++) {
    const key = datasetKeys.tar(k);
    const out = done.flatMap((m) => m.outputs).find((o) => o.key === key);
    if (!out) throw new Error(`tar ${key} is listed by no generate task`);
    const lines = Buffer.from(await ctx.store.get(datasetKeys.tarIndex(k)))
      .toString('utf8')
      .trim()
      .split('\n');
    const ids = lines.map((l) => (JSON.parse(l) as { identity: number }).identity);
    records.push({
      key,
      sha256: out.sha256,
      bytes: out.bytes,
      images: lines.length,
      identities: [Math.min(...ids), Math.max(...ids) + 1],
    });
  }
  return records;
}

/** index.jsonl: the tars' index lines in tar order (streamed, so it scales with the dataset). */
async function mergeIndexes(ctx: TaskContext, tars: TarRecord[]): Promise<TaskOutput> {
  const parts: Uint8Array[] = [];
  for (let k = 0; k < tars.length; k++) parts.push(await ctx.store.get(datasetKeys.tarIndex(k)));
  const bytes = Buffer.concat(parts);
  await ctx.store.put(datasetKeys.index, bytes);
  return describeOutput(datasetKeys.index, bytes);
}

async function writeExports(
  ctx: TaskContext,
  job: SyntheticDatasetJob,
): Promise<{ format: ExportFormat; uri: string }[]> {
  const out: { format: ExportFormat; uri: string }[] = [];
  for (const format of job.spec.output.exports ?? []) {
    const root = datasetKeys.exportRoot(format);
    const summary = await exportDataset({ source: ctx.store, out: scopedStore(ctx.store, root), format });
    ctx.logger.info({ format, images: summary.images }, 'export written');
    out.push({ format, uri: ctx.store.uri(root) });
    if (ctx.signal.aborted) throw ctx.stopped();
  }
  return out;
}

async function measure(
  ctx: TaskContext,
  job: SyntheticDatasetJob,
  guiding: NonNullable<SyntheticDatasetJob['spec']['encoder']>,
  images: LabelledImageSource,
) {
  const spec = job.spec.quality.encoder ?? guiding;
  const encoder = await loadEncoderFrom(ctx, spec);
  try {
    const q = job.spec.quality;
    const result = await reportDataset(
      images,
      embedderOf(encoder, spec.name ?? spec.uri),
      scopedStore(ctx.store, 'report'),
      {
        dataset: ctx.store.root,
        encoder: spec.name ?? spec.uri,
        createdAt: new Date().toISOString(),
        totalIdentities: job.spec.identities,
        totalImages: job.spec.identities * job.spec.imagesPerIdentity,
      },
      {
        ...defaultReportOptions,
        prefix: '',
        maxIdentities: q.maxIdentities,
        pairs: q.pairs,
        contactSheetIdentities: q.contactSheetIdentities,
        pairSeed: job.spec.seed % 2 ** 31,
      },
    );
    return headline(result.metrics);
  } finally {
    (encoder as IdentityEncoder).dispose();
  }
}

function headline(m: QualityMetrics): SyntheticDatasetJobStatusQuality {
  return {
    ...(m.identityConsistency !== null ? { identityConsistency: m.identityConsistency } : {}),
    centroidConsistency: m.centroidConsistency,
    intraClassDiversity: m.intraClassDiversity,
    interClassMaxCosine: m.interClass.nearestCosine.mean,
    eer: m.separability.eer,
    dPrime: m.separability.dPrime,
    labelFlipRate: m.labelFlipRate,
  };
}

async function publish(
  ctx: TaskContext,
  checkpointURI: string,
  quality: SyntheticDatasetJobStatusQuality | undefined,
): Promise<void> {
  const outputs = {
    checkpointURI,
    manifestURI: ctx.store.uri(datasetKeys.manifest),
    ...(quality ? { reportURI: ctx.store.uri(datasetKeys.reportHtml), quality } : {}),
  };
  await ctx.store.put(jobKeys.outputs, jsonBytes(outputs));
}

/** The generate tasks' compute records (in their markers), grouped: which backend, device and versions made what. */
function computeOf(markers: readonly TaskMarker[]): ComputeRecord[] {
  const groups = new Map<string, ComputeRecord>();
  for (const m of [...markers].sort((a, b) => a.index - b.index)) {
    const c = m.summary?.compute as Omit<ComputeRecord, 'tasks'> | undefined;
    if (!c) continue;
    const key = JSON.stringify([c.backend, c.device, c.versions]);
    const group = groups.get(key) ?? { backend: c.backend, device: c.device, versions: c.versions, tasks: [] };
    group.tasks.push(m.index);
    groups.set(key, group);
  }
  return [...groups.values()];
}
