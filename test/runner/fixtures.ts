/**
 * Tiny inputs for end-to-end runs: an untrained (densely initialised) 16 px ID³ checkpoint written through the real
 * checkpoint store, the tiny test encoder it records, and job manifests that use them. Real training is exercised by
 * its own test; dataset runs only need weights that produce varied images quickly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { openStore } from '../../io/storage/index.ts';
import {
  createTrainState,
  defaultDiffusionConfig,
  defaultTrainingConfig,
  disposeTrainState,
  saveCheckpoint,
} from '../../worker/diffusion/index.ts';
import { tinyConfig, UNet } from '../../worker/model/index.ts';
import { writeTinyEncoder } from '../fixtures/tiny-encoder.ts';

export const RESOLUTION = 16;
export const EMBEDDING = 16;

export interface TinyWorld {
  dir: string;
  encoder: string;
  checkpoints: string;
}

export async function tinyWorld(dir: string): Promise<TinyWorld> {
  mkdirSync(dir, { recursive: true });
  const encoder = join(dir, 'encoder', 'model.json');
  await writeTinyEncoder(encoder, { inputSize: RESOLUTION, embeddingSize: EMBEDDING });
  const config = tinyConfig(RESOLUTION, EMBEDDING);
  const state = createTrainState(new UNet(config), { seed: 1, zeroResidualOutputs: false });
  const pool = new Float32Array(
    Array.from({ length: 40 }, (_, i) => [20 + i, (i % 7) * 5 - 15, (i % 9) * 8 - 32, (i % 5) - 2]).flat(),
  );
  const saved = await saveCheckpoint(config, state, {
    step: 0,
    training: defaultTrainingConfig(),
    diffusion: { ...defaultDiffusionConfig(), timesteps: 100 },
    encoder: {
      name: 'tiny',
      inputSize: RESOLUTION,
      embeddingSize: EMBEDDING,
      channelOrder: 'RGB',
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    },
    attributePool: { names: ['age', 'pitch', 'yaw', 'roll'], values: pool },
    provenance: {
      encoderSpec: {
        uri: encoder,
        format: 'layers',
        inputSize: RESOLUTION,
        embeddingSize: EMBEDDING,
        channelOrder: 'RGB',
        mean: [0.5, 0.5, 0.5],
        std: [0.5, 0.5, 0.5],
      },
    },
  });
  disposeTrainState(state);
  const checkpoints = join(dir, 'model', 'checkpoints');
  await new CheckpointStore(openStore(checkpoints)).save({ step: 0, metadata: saved.metadata, files: saved.files });
  return { dir, encoder, checkpoints };
}

/** The spec of a small SyntheticDatasetJob on the tiny model: 4 identities × 3 images, one identity per tar. */
export function tinyDatasetSpec(
  world: TinyWorld,
  out: string,
  shards = 2,
  parallelism = Math.min(2, shards),
): Record<string, unknown> {
  return {
    model: { checkpointURI: world.checkpoints },
    identities: 4,
    imagesPerIdentity: 3,
    embeddingsPerIdentity: 2,
    seed: 11,
    anchors: { steps: 10 },
    sampler: { type: 'DDIM', steps: 3, batchSize: 5 },
    sharding: { shards, parallelism },
    output: { uri: out, identitiesPerTar: 1 },
    quality: { pairs: 20 },
  };
}

/** The spec of a tiny ID3TrainingJob on procedural faces, with the tiny encoder and a two-level U-Net. */
export function tinyTrainingSpec(world: TinyWorld, faces: string, out: string, steps: number): Record<string, unknown> {
  return {
    dataset: { uri: faces },
    encoder: { uri: world.encoder, inputSize: RESOLUTION, embeddingSize: EMBEDDING },
    model: {
      resolution: RESOLUTION,
      channels: 8,
      channelMultipliers: [1, 2],
      resBlocks: 1,
      attentionResolutions: [8],
      groupNormGroups: 4,
      attentionHeads: 1,
      dropout: 0,
    },
    conditioning: { hiddenSizes: [16, 16, 24] },
    diffusion: { timesteps: 100 },
    training: {
      steps,
      batchSize: 4,
      checkpointEverySteps: Math.ceil(steps / 2),
      logEverySteps: 3,
      emaDecay: 0.9,
      keepCheckpoints: 2,
    },
    output: { uri: out },
  };
}

/** A small SyntheticDatasetJob manifest on the tiny model, written to `file`. */
export function datasetManifest(
  file: string,
  world: TinyWorld,
  over: { name?: string; out: string; shards?: number; parallelism?: number; spec?: Record<string, unknown> },
): string {
  const job = {
    apiVersion: 'id3.sfr.dev/v1alpha1',
    kind: 'SyntheticDatasetJob',
    metadata: { name: over.name ?? 'tiny' },
    spec: { ...tinyDatasetSpec(world, over.out, over.shards, over.parallelism), ...over.spec },
  };
  writeFileSync(file, stringify(job));
  return file;
}
