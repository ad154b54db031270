/**
 * A training state as model files and back: the network config, raw and EMA weights, AdamW moments, the step, and
 * every hyper-parameter in effect (training, diffusion, encoder, attribute pool), so a checkpoint alone resumes a
 * run exactly or samples a dataset. The bytes go to io/checkpoints, which stores `{ metadata, files }` as is.
 */
import type { EncoderInfo } from '../encoder/index.ts';
import {
  disposeParams,
  flattenParams,
  loadGroups,
  type ModelConfig,
  ModelFormatError,
  type Params,
  readMetadata,
  type SerializedModel,
  saveModel,
  UNet,
  unflattenParams,
} from '../model/index.ts';
import {
  type AttributePool,
  type EmbeddingSpace,
  embeddingSpaceBytes,
  embeddingSpaceFromBytes,
} from '../planner/index.ts';
import type { TrainingConfig } from './config.ts';
import type { DiffusionConfig } from './schedule.ts';
import type { TrainState } from './train.ts';

export const GROUP_PARAMS = 'params';
export const GROUP_EMA = 'ema';
export const GROUP_ADAM_M = 'adam.m';
export const GROUP_ADAM_V = 'adam.v';
const ATTRIBUTE_POOL_FILE = 'attribute-pool.bin';
const EMBEDDING_SPACE_FILE = 'embedding-space.bin';

/** What a checkpoint records besides tensors. */
export interface CheckpointInfo {
  step: number;
  training: TrainingConfig;
  diffusion: DiffusionConfig;
  encoder: EncoderInfo;
  attributePool?: AttributePool;
  /** Mean and covariance of the training embeddings, for embeddingSpace: data. */
  embeddingSpace?: EmbeddingSpace;
  /** Free-form provenance (job name, dataset URI, code version, …). */
  provenance?: Record<string, unknown>;
}

interface CheckpointExtra {
  step: number;
  training: TrainingConfig;
  diffusion: DiffusionConfig;
  encoder: EncoderInfo;
  attributePool?: { names: string[]; count: number; file: string };
  embeddingSpace?: { dim: number; count: number; file: string };
  provenance: Record<string, unknown>;
}

export async function saveCheckpoint(
  config: ModelConfig,
  state: TrainState,
  info: CheckpointInfo,
): Promise<SerializedModel> {
  if (info.step !== state.step) throw new RangeError(`info.step ${info.step} differs from state.step ${state.step}`);
  const extra: CheckpointExtra = {
    step: state.step,
    training: info.training,
    diffusion: info.diffusion,
    encoder: info.encoder,
    provenance: info.provenance ?? {},
  };
  const specs = new UNet(config).specs;
  const groups = {
    [GROUP_PARAMS]: unflattenParams(specs, state.theta),
    [GROUP_EMA]: unflattenParams(specs, state.ema),
    [GROUP_ADAM_M]: unflattenParams(specs, state.adamM),
    [GROUP_ADAM_V]: unflattenParams(specs, state.adamV),
  };
  const saved = await saveModel({ config, groups, extra: extra as unknown as Record<string, unknown> }).finally(() => {
    for (const g of Object.values(groups)) disposeParams(g);
  });
  if (info.attributePool) {
    const pool = info.attributePool;
    if (pool.values.length % pool.names.length !== 0)
      throw new RangeError('attribute pool values do not fill whole rows');
    saved.files[ATTRIBUTE_POOL_FILE] = new Uint8Array(
      pool.values.buffer.slice(pool.values.byteOffset, pool.values.byteOffset + pool.values.byteLength),
    );
    (saved.metadata.extra as unknown as CheckpointExtra).attributePool = {
      names: [...pool.names],
      count: pool.values.length / pool.names.length,
      file: ATTRIBUTE_POOL_FILE,
    };
  }
  if (info.embeddingSpace) {
    const space = info.embeddingSpace;
    saved.files[EMBEDDING_SPACE_FILE] = embeddingSpaceBytes(space);
    (saved.metadata.extra as unknown as CheckpointExtra).embeddingSpace = {
      dim: space.dim,
      count: space.count,
      file: EMBEDDING_SPACE_FILE,
    };
  }
  return saved;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  unet: UNet;
  info: CheckpointInfo;
}

function readInfo(saved: { metadata: unknown; files: Record<string, Uint8Array> }): LoadedCheckpoint {
  const metadata = readMetadata(saved.metadata);
  const extra = metadata.extra as unknown as CheckpointExtra;
  if (typeof extra.step !== 'number' || !extra.training || !extra.diffusion || !extra.encoder) {
    throw new ModelFormatError('model file is not a training checkpoint (no step, training, diffusion or encoder)');
  }
  const info: CheckpointInfo = {
    step: extra.step,
    training: extra.training,
    diffusion: extra.diffusion,
    encoder: extra.encoder,
    provenance: extra.provenance,
  };
  if (extra.attributePool) {
    const bytes = saved.files[extra.attributePool.file];
    if (!bytes) throw new ModelFormatError(`attribute pool file ${extra.attributePool.file} is missing`);
    const copy = bytes.slice();
    info.attributePool = {
      names: extra.attributePool.names,
      values: new Float32Array(copy.buffer, 0, copy.byteLength / 4),
    };
  }
  if (extra.embeddingSpace) {
    const { dim, count, file } = extra.embeddingSpace;
    const bytes = saved.files[file];
    if (!bytes) throw new ModelFormatError(`embedding space file ${file} is missing`);
    info.embeddingSpace = embeddingSpaceFromBytes(bytes, dim, count);
  }
  return { config: metadata.config, unet: new UNet(metadata.config), info };
}

/** Everything needed to resume training. */
export function loadTrainState(saved: {
  metadata: unknown;
  files: Record<string, Uint8Array>;
}): LoadedCheckpoint & { state: TrainState } {
  const loaded = readInfo(saved);
  const specs = loaded.unet.specs;
  const g = loadGroups(saved, { specs, groups: [GROUP_PARAMS, GROUP_EMA, GROUP_ADAM_M, GROUP_ADAM_V] });
  const flat = (group: string) => {
    const v = flattenParams(specs, g[group]!);
    disposeParams(g[group]);
    return v;
  };
  const state: TrainState = {
    step: loaded.info.step,
    theta: flat(GROUP_PARAMS),
    ema: flat(GROUP_EMA),
    adamM: flat(GROUP_ADAM_M),
    adamV: flat(GROUP_ADAM_V),
  };
  return { ...loaded, state };
}

/** Only the weights a sampler needs: 'ema' (what the paper samples with) or 'raw'. */
export function loadSamplingWeights(
  saved: { metadata: unknown; files: Record<string, Uint8Array> },
  weights: 'ema' | 'raw' = 'ema',
): LoadedCheckpoint & { params: Params } {
  const loaded = readInfo(saved);
  const group = weights === 'ema' ? GROUP_EMA : GROUP_PARAMS;
  const params = loadGroups(saved, { specs: loaded.unet.specs, groups: [group] })[group]!;
  return { ...loaded, params };
}
