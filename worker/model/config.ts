/**
 * The denoiser's configuration: the U-Net ε_θ and the projection module (the conditioning MLP). Built from the
 * ID3TrainingJob spec (fromSpec), so the job is the one source of every architectural choice, and saved verbatim in
 * every checkpoint, so a checkpoint alone rebuilds its network.
 */
import type { AttributeRange, ID3TrainingJobSpecConditioning, ID3TrainingJobSpecModel } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';

/**
 * The U-Net as the CRD describes it (derived from the generated spec type, so the two cannot drift; the CRD documents
 * every field), plus the image channels, which the CRD fixes at RGB. Residual blocks: resBlocks per level on the way
 * down, one more on the way up (DDPM); the middle always has one attention block between two residual blocks.
 */
export type UNetConfig = ID3TrainingJobSpecModel & {
  /** Image channels (RGB). */
  imageChannels: number;
};

export interface ConditioningConfig {
  /** Length of the identity embedding y (the encoder's embedding size). */
  embeddingSize: number;
  /** The attributes s, in input order; each is divided by max(|min|, |max|) (age/100, pose/90). */
  attributes: AttributeRange[];
  /** Layer sizes of the MLP over [y ; s_norm], ReLU between layers; the last is the size of c. */
  hiddenSizes: number[];
  /** p_uncond: probability of replacing the whole condition by zeros during training. */
  dropout: number;
}

export interface ModelConfig {
  unet: UNetConfig;
  conditioning: ConditioningConfig;
}

/** Time-embedding width: 4× the base channels, as in DDPM. */
export function timeEmbeddingSize(unet: UNetConfig): number {
  return unet.channels * 4;
}

/** Size of c, the condition token. */
export function contextSize(cond: ConditioningConfig): number {
  return cond.hiddenSizes.at(-1)!;
}

/** The paper's attributes (age in years, head pose in degrees). */
export const PAPER_ATTRIBUTES: AttributeRange[] = [
  { name: 'age', min: 0, max: 100 },
  { name: 'pitch', min: -90, max: 90 },
  { name: 'yaw', min: -90, max: 90 },
  { name: 'roll', min: -90, max: 90 },
];

export function defaultConditioningConfig(embeddingSize = 512): ConditioningConfig {
  return { embeddingSize, attributes: PAPER_ATTRIBUTES, hiddenSizes: [512, 256, 768], dropout: 0 };
}

/** The job's model and conditioning sections (as admitted, i.e. defaulted) → the model's config. */
export function fromSpec(
  model: ID3TrainingJobSpecModel,
  conditioning: ID3TrainingJobSpecConditioning,
  embeddingSize: number,
): ModelConfig {
  const unet: UNetConfig = {
    resolution: model.resolution,
    imageChannels: 3,
    channels: model.channels,
    channelMultipliers: [...model.channelMultipliers],
    resBlocks: model.resBlocks,
    attentionResolutions: [...model.attentionResolutions],
    attentionHeads: model.attentionHeads,
    groupNormGroups: model.groupNormGroups,
    dropout: model.dropout,
  };
  const cond: ConditioningConfig = {
    embeddingSize,
    attributes: conditioning.attributes.map((a) => ({ ...a })),
    hiddenSizes: [...conditioning.hiddenSizes],
    dropout: conditioning.dropout,
  };
  return validateModelConfig({ unet, conditioning: cond });
}

export class ModelConfigError extends PermanentInputError {
  override readonly name = 'ModelConfigError';
}

/** Checks what the CRD's CEL rules check, plus what only the network knows; returns the config unchanged. */
export function validateModelConfig(config: ModelConfig): ModelConfig {
  const u = config.unet;
  const levels = u.channelMultipliers.length;
  const problems: string[] = [];
  if (u.resolution % 2 ** (levels - 1) !== 0) {
    problems.push(`resolution ${u.resolution} is not divisible by 2^${levels - 1} (${levels} levels)`);
  }
  for (const m of u.channelMultipliers) {
    if ((u.channels * m) % u.groupNormGroups !== 0) {
      problems.push(`channels ${u.channels}×${m} is not a multiple of groupNormGroups ${u.groupNormGroups}`);
    }
    if ((u.channels * m) % u.attentionHeads !== 0) {
      problems.push(`channels ${u.channels}×${m} is not a multiple of attentionHeads ${u.attentionHeads}`);
    }
  }
  const sides = levelResolutions(u);
  for (const r of u.attentionResolutions) {
    if (!sides.includes(r))
      problems.push(`attention resolution ${r} is not one of the U-Net's sides ${sides.join(', ')}`);
  }
  if (config.conditioning.hiddenSizes.length === 0) problems.push('conditioning.hiddenSizes is empty');
  if (problems.length > 0) throw new ModelConfigError(`invalid model config: ${problems.join('; ')}`);
  return config;
}

/** Feature-map side of each level. */
export function levelResolutions(u: UNetConfig): number[] {
  return u.channelMultipliers.map((_, i) => u.resolution / 2 ** i);
}
