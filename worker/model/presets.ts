/**
 * Architectures by image size. 32 px is the bundled quickstart model (trainable on two CPU cores in tens of minutes);
 * 64 px is the CRD's default; 112 px, the face-recognition input size, is sized like DDPM's CelebA-HQ model (128 base
 * channels, multipliers 1-1-2-2-4, two residual blocks per level, attention at 14×14: about 100M parameters).
 */
import { defaultConditioningConfig, type ModelConfig, type UNetConfig, validateModelConfig } from './config.ts';

export const PRESET_SIZES = [32, 64, 112] as const;
export type PresetSize = (typeof PRESET_SIZES)[number];

const UNETS: Record<PresetSize, UNetConfig> = {
  32: {
    resolution: 32,
    imageChannels: 3,
    channels: 32,
    channelMultipliers: [1, 2, 2],
    resBlocks: 1,
    attentionResolutions: [8],
    attentionHeads: 4,
    groupNormGroups: 8,
    dropout: 0,
  },
  64: {
    resolution: 64,
    imageChannels: 3,
    channels: 128,
    channelMultipliers: [1, 2, 2, 2],
    resBlocks: 2,
    attentionResolutions: [16],
    attentionHeads: 4,
    groupNormGroups: 32,
    dropout: 0.1,
  },
  112: {
    resolution: 112,
    imageChannels: 3,
    channels: 128,
    channelMultipliers: [1, 1, 2, 2, 4],
    resBlocks: 2,
    attentionResolutions: [14],
    attentionHeads: 4,
    groupNormGroups: 32,
    dropout: 0.1,
  },
};

/** The preset for `size`, conditioned on embeddings of `embeddingSize` (512 for IR-SE50) and the paper's attributes. */
export function presetConfig(size: PresetSize, embeddingSize = 512): ModelConfig {
  const unet = structuredClone(UNETS[size]);
  return validateModelConfig({ unet, conditioning: defaultConditioningConfig(embeddingSize) });
}

/**
 * A network small enough for unit tests and gradient checks (8×8 or 16×16 images, a few thousand parameters) that
 * still has every part: two levels, attention with cross-attention, the conditioning MLP.
 */
export function tinyConfig(resolution = 8, embeddingSize = 8): ModelConfig {
  return validateModelConfig({
    unet: {
      resolution,
      imageChannels: 3,
      channels: 8,
      channelMultipliers: [1, 2],
      resBlocks: 1,
      attentionResolutions: [resolution / 2],
      attentionHeads: 2,
      groupNormGroups: 4,
      dropout: 0,
    },
    conditioning: {
      embeddingSize,
      attributes: defaultConditioningConfig().attributes,
      hiddenSizes: [16, 16, 24],
      dropout: 0,
    },
  });
}
