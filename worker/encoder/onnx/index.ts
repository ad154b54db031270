/**
 * ONNX models as differentiable TensorFlow.js functions: an ONNX file is parsed with protobufjs against the official
 * onnx.proto, checked (every unsupported operator or attribute reported at once), and run op by op with tf ops, so
 * tf.grad goes through it. onnxEncoder wraps a face-recognition model as an IdentityEncoder. README.md has the design.
 */
export { imageInput, insightfaceInput, type OnnxEncoderOptions, onnxEncoder } from './encoder.ts';
export { OnnxFormatError, OnnxRunError, OnnxUnsupportedError } from './errors.ts';
export type { OnnxGraph, OnnxNode, ValueInfo } from './model.ts';
export { OPS as SUPPORTED_OPS } from './ops/index.ts';
export { loadOnnx, MAX_OPSET, MIN_OPSET, type OnnxProgram, type RunOptions } from './program.ts';
