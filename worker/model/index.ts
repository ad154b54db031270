/**
 * The denoiser ε_θ of ID³: configuration (from the job spec, presets for 32/64/112 px), the conditioned U-Net, its
 * parameters (declare once; initialise, count, save, load) and the condition vector [y ; s_norm]. It knows nothing
 * of noise schedules or training; worker/diffusion uses it.
 */
export { attributeScale, conditionMatrix, normalizeAttributes } from './conditioning.ts';
export {
  type ConditioningConfig,
  contextSize,
  defaultConditioningConfig,
  fromSpec,
  levelResolutions,
  type ModelConfig,
  ModelConfigError,
  PAPER_ATTRIBUTES,
  timeEmbeddingSize,
  type UNetConfig,
  validateModelConfig,
} from './config.ts';
export type { ForwardOptions } from './layers.ts';
export {
  cloneParams,
  countParams,
  countParamsByPart,
  disposeParams,
  flattenParams,
  fromList,
  type InitOptions,
  initFlat,
  initParams,
  type ParamSpec,
  type Params,
  paramList,
  paramOffsets,
  unflattenParams,
  zerosLikeParams,
} from './params.ts';
export { PRESET_SIZES, type PresetSize, presetConfig, tinyConfig } from './presets.ts';
export { type GradientRequest, type GradientResult, shouldRecompute, unetGradient } from './recompute.ts';
export {
  groupFile,
  loadGroups,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  ModelFormatError,
  type ModelMetadata,
  readMetadata,
  type SerializedModel,
  saveModel,
} from './serialize.ts';
export { type Conditioning, type Stage, timestepEmbedding, UNet, type UNetInputs } from './unet.ts';
