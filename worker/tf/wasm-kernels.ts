/**
 * Replacements for wasm kernels that the model's profile showed to be slow (bench/model/profile.ts):
 *  - Slice and SplitV copy the whole input out of the wasm heap for every slice (readSync): splitting the flat
 *    parameter vector θ into its ~250 tensors copied θ 250 times, a quarter of a training step. Here each slice reads
 *    its region through a heap view.
 *  - BatchMatMul runs on XNNPACK only for one non-transposed product; transposed operands (every dense layer's
 *    gradient) and batched products (attention) fall to a scalar loop 5–10× slower. Here operands are transposed
 *    explicitly, a batch against one matrix becomes one tall product, and other batches loop over XNNPACK products.
 *  - Identity copies its input; the engine clones every tensor it saves for the backward pass, so a training step
 *    copied most of its activations once more. Tensors are immutable, so here (as on the cpu backend) a clone shares
 *    the buffer and counts a reference.
 * The originals stay in use for what these do not cover (strings, general broadcasting).
 */

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TensorInfo = tf.TensorInfo;

/** Copies the box [begin, begin + size) of x (row-major, shape) into out, one contiguous run at a time. */
export function copyBox(
  src: tf.backend_util.TypedArray,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: tf.backend_util.TypedArray,
): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = src[0]!;
    return;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  // Axes after `inner` are taken whole, so each run spans size[inner]·strides[inner] contiguous elements.
  let inner = rank - 1;
  while (inner > 0 && begin[inner] === 0 && size[inner] === shape[inner]) inner--;
  const run = size[inner]! * strides[inner]!;
  const index = new Array<number>(inner).fill(0);
  const runs = size.slice(0, inner).reduce((a, b) => a * b, 1);
  for (let r = 0, at = 0; r < runs; r++, at += run) {
    let offset = begin[inner]! * strides[inner]!;
    for (let i = 0; i < inner; i++) offset += (begin[i]! + index[i]!) * strides[i]!;
    out.set(src.subarray(offset, offset + run), at);
    for (let i = inner - 1; i >= 0; i--) {
      if (++index[i]! < size[i]!) break;
      index[i] = 0;
    }
  }
}

function sliceView(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  // Views after makeOutput: growing the heap detaches older ones.
  copyBox(backend.typedArrayFromHeap(x), x.shape, begin, size, backend.typedArrayFromHeap(out));
  return out;
}

function slice(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap },
  original: tf.KernelFunc,
): TensorInfo {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return original(args) as TensorInfo;
  const a = args.attrs as unknown as tf.SliceAttrs;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, a.begin, a.size);
  return sliceView(args.backend, x, begin, size);
}

function splitV(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap },
  original: tf.KernelFunc,
): TensorInfo[] {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return original(args) as TensorInfo[];
  const a = args.attrs as unknown as tf.SplitVAttrs;
  const axis = tf.util.parseAxisParam(a.axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, a.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = sliceView(args.backend, x, [...begin], size);
    begin[axis]! += s;
    return out;
  });
}

/** Below this many multiply-adds per batch entry, the scalar loop beats an XNNPACK product per entry. */
const LOOP_MIN_WORK = 32_768;

function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap },
  original: tf.KernelFunc,
): TensorInfo {
  const { backend } = args;
  const a = args.inputs.a!;
  const b = args.inputs.b!;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const batchA = a.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const plain = (x: TensorInfo, y: TensorInfo) =>
    original({ inputs: { a: x, b: y }, backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
  const owned: TensorInfo[] = [];
  const keep = (t: TensorInfo) => {
    owned.push(t);
    return t;
  };
  const as3d = (t: TensorInfo, batch: number, transpose: boolean): TensorInfo => {
    const [r, c] = t.shape.slice(-2) as [number, number];
    const flat = keep(
      tf
        .getKernel('Reshape', 'wasm')!
        .kernelFunc({ inputs: { x: t }, backend, attrs: { shape: [batch, r, c] } }) as TensorInfo,
    );
    if (!transpose) return flat;
    return keep(
      tf
        .getKernel('Transpose', 'wasm')!
        .kernelFunc({ inputs: { x: flat }, backend, attrs: { perm: [0, 2, 1] } }) as TensorInfo,
    );
  };
  const [, m, k] = as3d(a, batchA, transposeA).shape as [number, number, number];
  const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
  const batch = Math.max(batchA, batchB);
  const broadcastOk = batchA === batchB || batchA === 1 || batchB === 1;
  if (!broadcastOk || (batch > 1 && batchB > 1 && m * k * n < LOOP_MIN_WORK)) {
    for (const t of owned) backend.disposeData(t.dataId);
    return original(args) as TensorInfo;
  }
  const a3 = owned[owned.length - 1]!;
  const b3 = as3d(b, batchB, transposeB);
  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n];
  const reshape = (t: TensorInfo, shape: number[]) =>
    tf.getKernel('Reshape', 'wasm')!.kernelFunc({ inputs: { x: t }, backend, attrs: { shape } }) as TensorInfo;
  let result: TensorInfo;
  if (batchB === 1) {
    // One matrix for the whole batch: a single tall product.
    const tall = keep(reshape(a3, [1, batchA * m, k]));
    result = reshape(keep(plain(tall, b3)), outShape);
  } else {
    const parts: TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      const ai = keep(sliceView(backend, a3, [batchA === 1 ? 0 : i, 0, 0], [1, m, k]));
      const bi = keep(sliceView(backend, b3, [i, 0, 0], [1, k, n]));
      parts.push(keep(plain(ai, bi)));
    }
    const joined = keep(
      // Concat takes its inputs as an array, as tfjs' own concat passes them.
      tf
        .getKernel('Concat', 'wasm')!
        .kernelFunc({ inputs: parts as unknown as tf.NamedTensorInfoMap, backend, attrs: { axis: 0 } }) as TensorInfo,
    );
    result = reshape(joined, outShape);
  }
  for (const t of owned) backend.disposeData(t.dataId);
  return result;
}

function identity(
  args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap },
  original: tf.KernelFunc,
): TensorInfo {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return original(args) as TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const REPLACEMENTS = { Slice: slice, SplitV: splitV, BatchMatMul: batchMatMul, Identity: identity } as const;
export type WasmKernelName = keyof typeof REPLACEMENTS;
export const WASM_KERNELS = Object.keys(REPLACEMENTS) as WasmKernelName[];

const originals = new Map<WasmKernelName, tf.KernelFunc>();

/** Installs the replacements on the wasm backend (idempotent); returns their names. */
export function registerWasmKernels(names: readonly WasmKernelName[] = WASM_KERNELS): WasmKernelName[] {
  for (const name of names) {
    if (!originals.has(name)) {
      const config = tf.getKernel(name, 'wasm');
      if (!config) throw new Error(`wasm has no ${name} kernel to replace`);
      originals.set(name, config.kernelFunc);
    }
    const original = originals.get(name)!;
    const impl = REPLACEMENTS[name] as (
      args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap },
      original: tf.KernelFunc,
    ) => TensorInfo | TensorInfo[];
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) =>
        impl({ inputs, backend: backend as BackendWasm, attrs: attrs ?? {} }, original),
    });
  }
  return [...names];
}

/** Puts the backend's own kernels back (benchmarks compare both). */
export function restoreWasmKernels(): void {
  for (const [name, kernelFunc] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
}
