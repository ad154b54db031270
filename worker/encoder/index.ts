/**
 * Identity encoders f: the frozen face-recognition networks that condition (y = f(x₀)) and guide (∇⟨y, f(x̂₀)⟩) ID³.
 * This folder owns the IdentityEncoder interface every encoder implements, loading encoders from model files
 * (loader.ts), the input convention that applying an encoder means (resize, channel order, mean/std:
 * toEncoderInput), embedding pixel arrays in batches (embed.ts), and a tiny random CNN encoder for tests.
 */
export { embedPixels, encoderEmbedder } from './embed.ts';
export {
  EncoderLoadError,
  type EncoderSpec,
  loadEncoder,
  modelEncoder,
  modelHandler,
  saveLayersModel,
} from './loader.ts';
export { l2Normalize, resizeImages, resizeMatrix, toEncoderInput } from './preprocess.ts';
export { type RandomCnnEncoderOptions, randomCnnEncoder } from './random-cnn.ts';
export type { EncoderInfo, EncoderInput, IdentityEncoder } from './types.ts';
