/**
 * Turns a finished ID3TrainingJob output into the bundled default model: a sampling-only checkpoint (EMA weights and
 * the attribute pool; no raw weights or optimizer moments) in the checkpoint store's format, so that
 * `SyntheticDatasetJob.spec.model.checkpointURI: models/id3-faces-32` loads it, plus bundle.json with the numbers the
 * model card reports.
 *
 *   npx tsx scripts/bundle-id3-model.ts --from out/id3-faces-32 --out models/id3-faces-32
 *
 * The recorded encoder location is rewritten relative to the bundle (../face-encoder/model.json), since the path the
 * training run recorded is only valid on the machine that trained it.
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { CheckpointStore, resolveCheckpoint } from '../io/checkpoints/index.ts';
import { storeModelFiles } from '../io/models/index.ts';
import { openStore } from '../io/storage/index.ts';
import { renderPairConsistency } from '../tools/encoder/index.ts';
import { decodeNpy } from '../worker/dataset/index.ts';
import { loadEncoder } from '../worker/encoder/index.ts';
import { type ModelMetadata, readMetadata } from '../worker/model/index.ts';
import { embeddingSpaceBytes, fitEmbeddingSpace } from '../worker/planner/index.ts';
import { selectBackend } from '../worker/tf/index.ts';

const opts = new Command()
  .requiredOption('--from <uri>', 'training output (or checkpoints folder, or one checkpoint)')
  .option('--out <dir>', 'bundle folder', 'models/id3-faces-32')
  .option('--encoder <dir>', 'the bundled encoder, relative to the bundle folder', '../face-encoder')
  .parse()
  .opts<{ from: string; out: string; encoder: string }>();

const open = (uri: string) => openStore(uri.includes('://') ? uri : resolve(uri));
const from = opts.from.includes('://') ? opts.from : resolve(opts.from);
const { checkpoints, step } = await resolveCheckpoint(from, open);
// The training output the checkpoint belongs to (features/, report/), whichever of the three forms --from named.
const training = open(
  from
    .replace(/\/+$/, '')
    .replace(/\/step-\d+$/, '')
    .replace(/\/checkpoints$/, ''),
);
const source = await checkpoints.load(step);
const metadata = readMetadata(source.metadata);
const extra = metadata.extra as {
  attributePool?: { file: string };
  embeddingSpace?: { dim: number; count: number; file: string };
  provenance?: Record<string, unknown>;
};
const keepFiles = [
  metadata.groups.ema!.file,
  ...(extra.attributePool ? [extra.attributePool.file] : []),
  ...(extra.embeddingSpace ? [extra.embeddingSpace.file] : []),
];
// Checkpoints trained before the train stage recorded the training embeddings' statistics get them here, from the
// same embeddings (the prepare stage's features), so that the bundle supports embeddingSpace: data.
const addedFiles: Record<string, Uint8Array> = {};
if (!extra.embeddingSpace) {
  const parts: Float32Array[] = [];
  for await (const o of training.list('features/')) {
    if (o.key.endsWith('.npy')) parts.push(decodeNpy(await training.get(o.key), o.key).data);
  }
  if (parts.length === 0) throw new Error(`${opts.from} has no features/*.npy to fit the embedding space on`);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const space = fitEmbeddingSpace(all, metadata.config.conditioning.embeddingSize);
  addedFiles['embedding-space.bin'] = embeddingSpaceBytes(space);
  extra.embeddingSpace = { dim: space.dim, count: space.count, file: 'embedding-space.bin' };
}
const encoderSpec = {
  ...(extra.provenance?.encoderSpec as Record<string, unknown>),
  uri: `${opts.encoder.replace(/\/+$/, '')}/model.json`,
};
// Paths of the training machine mean nothing in a clone: keep them relative to the repository root (the cwd).
const portable = (p: unknown) => {
  if (typeof p !== 'string') return p;
  const path = p.startsWith('file://') ? fileURLToPath(p) : p;
  if (!isAbsolute(path)) return p;
  const rel = relative(process.cwd(), path);
  return rel === '..' || rel.startsWith(`..${sep}`) ? p : rel;
};
const provenance = {
  ...extra.provenance,
  dataset: portable(extra.provenance?.dataset),
  encoderSpec,
  bundledFrom: source.step,
};
const bundled: ModelMetadata = {
  ...metadata,
  groups: { ema: metadata.groups.ema! },
  extra: { ...metadata.extra, provenance },
};
const out = resolve(opts.out);
await new CheckpointStore(openStore(out), { keep: 1 }).save({
  step,
  metadata: bundled,
  files: { ...Object.fromEntries(keepFiles.map((f) => [f, source.files[f]!])), ...addedFiles },
});

// The reference figure: how alike two real renders of one identity look to the same encoder.
await selectBackend({ prefer: 'wasm' });
const encoder = await loadEncoder(
  { ...(encoderSpec as unknown as Parameters<typeof loadEncoder>[0]), uri: resolve(out, encoderSpec.uri) },
  storeModelFiles(open),
);
const reference = renderPairConsistency(encoder, 20_240_926, 200, metadata.config.unet.resolution);
const evaluation = await training
  .get('report/evaluation.json')
  .then((b) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>)
  .then((e) => ({ ...e, checkpoint: portable(e.checkpoint) }))
  .catch(() => undefined);
await writeFile(
  join(out, 'bundle.json'),
  `${JSON.stringify({ step, from: portable(opts.from), evaluation, renderPairConsistency: { identities: 200, ...reference } }, null, 2)}\n`,
);
console.log(`bundled step ${step} into ${out}; render-pair consistency ${reference.mean.toFixed(3)}`);
