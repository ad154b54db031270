/**
 * Identity encoders f: the frozen face-recognition networks that condition (y = f(x₀)) and guide (∇⟨y, f(x̂₀)⟩) ID³.
 * This folder owns the IdentityEncoder interface every encoder implements, the input convention that applying an
 * encoder means (resize, channel order, mean/std: toEncoderInput), and a tiny random CNN encoder for tests.
 */
export { l2Normalize, resizeImages, resizeMatrix, toEncoderInput } from './preprocess.ts';
export { type RandomCnnEncoderOptions, randomCnnEncoder } from './random-cnn.ts';
export type { EncoderInfo, EncoderInput, IdentityEncoder } from './types.ts';
