/**
 * Everything that trains and measures the bundled encoder, gathered for scripts and CLI commands (the folder's
 * index.ts belongs to the encoder interface's owner; re-export these from there once agreed).
 */
export { type ArcFaceConfig, arcFaceLogits, arcFaceLoss, defaultArcFaceConfig } from './arcface.ts';
export { registerBroadcastBatchNormGradient } from './batchnorm-grad.ts';
export {
  defaultVerificationProtocol,
  embedPixels,
  encoderEmbedder,
  evaluateVerification,
  renderPairConsistency,
  type VerificationProtocol,
  type VerificationResult,
} from './evaluate.ts';
export { type FaceAddress, type FaceBatch, FacePool, gridAddresses, renderBatch } from './face-batches.ts';
export { buildIrNet, defaultIrNetConfig, type IrNetConfig } from './ir-net.ts';
export {
  EncoderLoadError,
  type EncoderSpec,
  loadEncoder,
  modelEncoder,
  modelHandler,
  saveLayersModel,
} from './loader.ts';
export { localModelFiles, type ModelFiles, modelJsonUri, siblingUri, storeModelFiles } from './model-files.ts';
export {
  batchAddresses,
  defaultEncoderTrainingConfig,
  type EncoderTrainingConfig,
  encoderInfo,
  learningRateAt,
  type TrainingEvent,
  type TrainingHooks,
  trainEncoder,
} from './train.ts';
