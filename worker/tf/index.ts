/**
 * The TensorFlow.js runtime of the workers: which backend computes (selectBackend: tfjs-node-gpu, tfjs-node, wasm,
 * cpu, or webgpu on request, overridable by ID3_TF_BACKEND), the kernels that make training fast on wasm (convolution
 * gradients as forward convolutions, heap-view slicing, XNNPACK batched products), and the Dawn-based webgpu loader.
 * Everything else in worker/ imports @tensorflow/tfjs and computes on whatever backend this folder activated.
 */
export {
  AUTO_ORDER,
  BACKEND_ENV,
  BACKENDS,
  type BackendChoice,
  type BackendName,
  type BackendOptions,
  type BackendRequest,
  type ComputeInfo,
  computeInfo,
  GPU_ORDER,
  GPUS_ENV,
  parseBackendRequest,
  selectBackend,
} from './backend.ts';
export { registerBroadcastBatchNormGradient } from './batchnorm-grad.ts';
export { CONV_GRAD_KERNELS, type ConvGradKernelName, registerConvGradKernels } from './conv-grad-kernels.ts';
export { BackendUnavailableError } from './errors.ts';
export {
  copyBox,
  registerWasmKernels,
  restoreWasmKernels,
  WASM_KERNELS,
  type WasmKernelName,
} from './wasm-kernels.ts';
export { loadWebGpu, type WebGpuOptions } from './webgpu.ts';
