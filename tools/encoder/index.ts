/**
 * The bundled encoder's workshop: rendered face batches (face-batches.ts), training on procedural identities
 * (training.ts, on the product's face-recognition trainer in worker/recognition) and verification on rendered
 * identities it never saw (evaluate.ts) — what scripts/train-encoder.ts and the model cards use.
 */
export {
  defaultVerificationProtocol,
  evaluateVerification,
  renderPairConsistency,
  type VerificationProtocol,
  type VerificationResult,
} from './evaluate.ts';
export { type FaceAddress, type FaceBatch, FacePool, gridAddresses, renderBatch } from './face-batches.ts';
export {
  batchAddresses,
  defaultEncoderTrainingConfig,
  type EncoderTrainingConfig,
  type EncoderTrainingHooks,
  trainEncoder,
} from './training.ts';
