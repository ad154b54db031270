/**
 * Face recognition as the field trains and measures it: IR-ResNet-style networks (ir-net.ts), the additive angular
 * margin loss (arcface.ts), and the training loop over any source of labelled batches (train.ts). The bundled encoder
 * is trained with it on rendered faces (tools/encoder); downstream evaluation trains it on a dataset's images.
 */
export { type ArcFaceConfig, arcFaceLogits, arcFaceLoss, defaultArcFaceConfig } from './arcface.ts';
export { buildIrNet, defaultIrNetConfig, type IrNetConfig } from './ir-net.ts';
export {
  defaultRecognitionTrainingConfig,
  encoderInfo,
  type LabelledBatch,
  learningRateAt,
  type RecognitionTrainingConfig,
  type TrainingEvent,
  type TrainingHooks,
  trainRecognition,
} from './train.ts';
