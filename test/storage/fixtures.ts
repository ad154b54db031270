/**
 * Test data shared by the storage and dataset tests: tiny deterministic images, a whole small dataset written the way
 * the generate and finalize stages will write it, and a resolved dataset spec.
 */
import { admitOrThrow, type SyntheticDatasetJob, type SyntheticDatasetJobSpec } from '../../api/index.ts';
import type { Store } from '../../io/storage/index.ts';
import {
  buildDatasetCard,
  type CommittedTar,
  encodeImage,
  type GeneratedImage,
  mergeTarIndexes,
  ShardWriter,
  type TarSpec,
  writeDatasetCard,
  writeNpy,
} from '../../worker/dataset/index.ts';
import { tarCount } from '../../workflow/index.ts';
import { datasetJob } from '../builders.ts';

export const SIDE = 8;

/** An 8×8 RGB gradient that differs per (identity, image), so every image and its bytes are distinct. */
export async function sampleImage(identity: number, image: number, embeddings = 2): Promise<GeneratedImage> {
  const data = new Uint8Array(SIDE * SIDE * 3);
  for (let i = 0; i < SIDE * SIDE; i++) {
    data[i * 3] = (identity * 37 + i * 3) % 256;
    data[i * 3 + 1] = (image * 59 + i * 5) % 256;
    data[i * 3 + 2] = (identity * 11 + image * 13 + i) % 256;
  }
  const bytes = await encodeImage({ data, width: SIDE, height: SIDE, channels: 3 }, { format: 'png' });
  return {
    bytes,
    meta: {
      identity,
      image,
      embedding: image % embeddings,
      attributes: { age: 20 + identity, pitch: 1 - image, yaw: image * 2.5, roll: 0.25 },
      seed: identity * 1000 + image,
    },
  };
}

export interface SmallDataset {
  identities: number;
  imagesPerIdentity: number;
  identitiesPerTar: number;
}

/** The resolved spec of a small dataset job (the CRD's defaults applied). */
export function datasetSpec(d: SmallDataset): SyntheticDatasetJobSpec {
  const job = datasetJob('small')
    .identities(d.identities, d.imagesPerIdentity)
    .set('spec.embeddingsPerIdentity', 2)
    .output('s3://datasets/small', d.identitiesPerTar)
    .obj();
  return (admitOrThrow(job) as SyntheticDatasetJob).spec;
}

export function tarSpec(d: SmallDataset, tar: number): TarSpec {
  return {
    tar,
    identitiesPerTar: d.identitiesPerTar,
    identities: d.identities,
    imagesPerIdentity: d.imagesPerIdentity,
    format: 'png',
  };
}

/** Writes every tar with ShardWriter, the plan's .npy files, the merged index and the dataset card. */
export async function writeSmallDataset(store: Store, d: SmallDataset): Promise<CommittedTar[]> {
  const tars: CommittedTar[] = [];
  for (let k = 0; k < tarCount(d.identities, d.identitiesPerTar); k++) {
    const writer = await ShardWriter.open(store, tarSpec(d, k));
    for (const identity of writer.pendingIdentities()) {
      for (let image = 0; image < d.imagesPerIdentity; image++) await writer.add(await sampleImage(identity, image));
    }
    tars.push(await writer.commit());
  }
  await writeNpy(store, 'plan/anchors.npy', [d.identities, 4], [anchors(d.identities)]);
  await mergeTarIndexes(store, tars.length);
  const card = buildDatasetCard({
    name: 'small',
    spec: datasetSpec(d),
    createdAt: '2026-11-27T00:00:00.000Z',
    generatorVersion: '0.1.0',
    image: { width: SIDE, height: SIDE },
    model: { checkpointURI: 's3://models/id3/checkpoints/step-000000010', step: 10, weights: 'ema' },
    tars: tars.map(({ key, sha256, bytes, images, identities }) => ({ key, sha256, bytes, images, identities })),
  });
  await writeDatasetCard(store, card);
  return tars;
}

/** N×4 float32 values that are exact in binary (k/8), so a reader's values can be compared exactly. */
export function anchors(n: number): Float32Array {
  return Float32Array.from({ length: n * 4 }, (_, i) => (i % 17) / 8 - 1);
}

/** The dataset the kill tests write: 2 tars of 2 identities × 3 images. */
export const KILL_DATASET: SmallDataset = { identities: 4, imagesPerIdentity: 3, identitiesPerTar: 2 };

/** The files of a checkpoint at `step`, distinct per step. */
export function checkpointFiles(step: number): Record<string, Uint8Array> {
  return {
    'weights.bin': new Uint8Array(4096).fill(step),
    'ema.bin': new Uint8Array(4096).fill(step + 100),
    'adam.bin': new Uint8Array(4096).fill(step + 200),
  };
}
