/**
 * The diffusion side of ID³: noise schedules (frozen tables), reverse steps (DDPM, DDIM), the ID³ loss, AdamW with
 * clipping and EMA, trainStep, and the identity-guided sampler of Algorithm 2. This is where the U-Net
 * (worker/model), the encoder (worker/encoder) and the seeding contract (worker/planner) meet.
 */
export {
  type CheckpointInfo,
  GROUP_ADAM_M,
  GROUP_ADAM_V,
  GROUP_EMA,
  GROUP_PARAMS,
  type LoadedCheckpoint,
  loadSamplingWeights,
  loadTrainState,
  saveCheckpoint,
} from './checkpoint.ts';
export {
  defaultSamplerConfig,
  defaultTrainingConfig,
  type SamplerConfig,
  samplerFromSpec,
  type TrainingConfig,
  trainingFromSpec,
} from './config.ts';
export {
  id3Loss,
  id3LossFromEps,
  type LossDraws,
  type LossInputs,
  type LossModel,
  type LossTerms,
  lossInputs,
  type TrainBatch,
} from './loss.ts';
export {
  type AdamSlots,
  adamwUpdate,
  clipByGlobalNorm,
  clipFactor,
  emaUpdate,
  learningRateAt,
  type OptimizerConfig,
} from './optim.ts';
export {
  type Denoiser,
  guidedEps,
  noiseFor,
  type SampleOptions,
  type SampleRequest,
  type SamplerModel,
  sample,
  unetDenoiser,
} from './sampler.ts';
export {
  type DiffusionConfig,
  defaultDiffusionConfig,
  diffusionFromSpec,
  makeSchedule,
  type NoiseSchedule,
  respacedTimesteps,
  wT,
} from './schedule.ts';
export {
  type DdpmVariance,
  predictEpsFromX0,
  predictX0FromEps,
  qSample,
  type SamplerType,
  type StepInput,
  type StepOptions,
  type StepOutput,
  step,
  stepSigma,
} from './scheduler.ts';
export { EncoderMismatchError, samplerModelFromCheckpoint, trainModelFromSpec } from './setup.ts';
export {
  createTrainState,
  disposeTrainState,
  drawStep,
  makeTrainStep,
  stateParams,
  type TrainModel,
  type TrainState,
  type TrainStepOptions,
  type TrainStepResult,
} from './train.ts';
