/**
 * Host tensors: the constants of an ONNX graph (weights, shape values) held in JavaScript arrays, and the few
 * operations that fold them without TensorFlow.js: broadcasting arithmetic, gather, concat, slice, cast. Shape
 * subgraphs (Shape → Gather → Unsqueeze → Concat → Reshape) run here, so they never reach tfjs or its gradient tape.
 */

export type HostTensor =
  | { dtype: 'float32'; dims: number[]; data: Float32Array }
  /** INT64, INT32 and BOOL alike: exact as JavaScript numbers for every shape value. */
  | { dtype: 'int'; dims: number[]; data: number[] };

export function hostInts(dims: number[], data: number[]): HostTensor {
  return { dtype: 'int', dims, data };
}

export function hostFloats(dims: number[], data: ArrayLike<number>): HostTensor {
  return { dtype: 'float32', dims, data: Float32Array.from(data) };
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Row-major strides. */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** The values as plain numbers (shape arguments: axes, pads, sizes). */
export function valuesOf(t: HostTensor): number[] {
  return Array.from(t.data);
}

function like(t: HostTensor, dims: number[], data: ArrayLike<number>): HostTensor {
  return t.dtype === 'float32' ? hostFloats(dims, data) : hostInts(dims, Array.from(data));
}

export function reshapeHost(t: HostTensor, dims: number[]): HostTensor {
  return { ...t, dims } as HostTensor;
}

/** ONNX (numpy) multidirectional broadcasting of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RangeError(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Flat index into `dims` (right-aligned, broadcast) of each element of `out`. */
function broadcastIndex(dims: readonly number[], out: readonly number[]): number[] {
  const strides = stridesOf(dims);
  const outStrides = stridesOf(out);
  const offset = out.length - dims.length;
  return Array.from({ length: sizeOf(out) }, (_, flat) => {
    let at = 0;
    for (let d = 0; d < dims.length; d++) {
      const coord = Math.floor(flat / outStrides[d + offset]!) % out[d + offset]!;
      at += dims[d] === 1 ? 0 : coord * strides[d]!;
    }
    return at;
  });
}

/** Element-wise op with broadcasting; integer results are truncated (ONNX integer Div). */
export function binaryHost(a: HostTensor, b: HostTensor, fn: (x: number, y: number) => number): HostTensor {
  const dims = broadcastShapes(a.dims, b.dims);
  const ia = broadcastIndex(a.dims, dims);
  const ib = broadcastIndex(b.dims, dims);
  const values = ia.map((i, k) => fn(a.data[i]!, b.data[ib[k]!]!));
  if (a.dtype === 'float32' || b.dtype === 'float32') return hostFloats(dims, values);
  return hostInts(dims, values.map(Math.trunc));
}

/** numpy.take along `axis` (negative indices count from the end). */
export function gatherHost(t: HostTensor, indices: HostTensor, axis: number): HostTensor {
  const ax = axis < 0 ? axis + t.dims.length : axis;
  const n = t.dims[ax]!;
  const outer = sizeOf(t.dims.slice(0, ax));
  const inner = sizeOf(t.dims.slice(ax + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.data) {
      const i = raw < 0 ? raw + n : raw;
      if (i < 0 || i >= n) throw new RangeError(`Gather index ${raw} is out of range for a dimension of ${n}`);
      for (let k = 0; k < inner; k++) out.push(t.data[(o * n + i) * inner + k]!);
    }
  }
  return like(t, [...t.dims.slice(0, ax), ...indices.dims, ...t.dims.slice(ax + 1)], out);
}

export function concatHost(ts: HostTensor[], axis: number): HostTensor {
  const first = ts[0]!;
  const ax = axis < 0 ? axis + first.dims.length : axis;
  const outer = sizeOf(first.dims.slice(0, ax));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of ts) {
      const chunk = sizeOf(t.dims.slice(ax));
      for (let k = 0; k < chunk; k++) out.push(t.data[o * chunk + k]!);
    }
  }
  const dims = [...first.dims];
  dims[ax] = ts.reduce((s, t) => s + t.dims[ax]!, 0);
  return ts.some((t) => t.dtype === 'float32') ? hostFloats(dims, out) : hostInts(dims, out);
}

export interface SliceSpec {
  /** Per axis of the input: first index, step and element count of the slice. */
  start: number[];
  step: number[];
  count: number[];
}

/**
 * ONNX Slice's index arithmetic (starts/ends clamped like Python slices, negative steps allowed), for the axes listed
 * (all when `axes` is absent); other axes are taken whole.
 */
export function sliceSpec(
  dims: readonly number[],
  starts: number[],
  ends: number[],
  axes?: number[],
  steps?: number[],
) {
  const spec: SliceSpec = { start: dims.map(() => 0), step: dims.map(() => 1), count: [...dims] };
  starts.forEach((s, k) => {
    const raw = axes?.[k] ?? k;
    const ax = raw < 0 ? raw + dims.length : raw;
    const n = dims[ax]!;
    const step = steps?.[k] ?? 1;
    if (step === 0) throw new RangeError('Slice step 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
    const begin = step > 0 ? clamp(s, 0, n) : clamp(s, -1, n - 1);
    const end = step > 0 ? clamp(ends[k]!, 0, n) : clamp(ends[k]!, -1, n - 1);
    spec.start[ax] = begin;
    spec.step[ax] = step;
    spec.count[ax] = Math.max(0, Math.ceil((end - begin) / step));
  });
  return spec;
}

export function sliceHost(t: HostTensor, spec: SliceSpec): HostTensor {
  const strides = stridesOf(t.dims);
  const outStrides = stridesOf(spec.count);
  const values = Array.from({ length: sizeOf(spec.count) }, (_, flat) => {
    let at = 0;
    for (let d = 0; d < t.dims.length; d++) {
      const coord = Math.floor(flat / outStrides[d]!) % spec.count[d]!;
      at += (spec.start[d]! + coord * spec.step[d]!) * strides[d]!;
    }
    return t.data[at]!;
  });
  return like(t, spec.count, values);
}

export function transposeHost(t: HostTensor, perm: readonly number[]): HostTensor {
  const strides = stridesOf(t.dims);
  const dims = perm.map((p) => t.dims[p]!);
  const outStrides = stridesOf(dims);
  const values = Array.from({ length: sizeOf(dims) }, (_, flat) => {
    let at = 0;
    for (let d = 0; d < dims.length; d++) at += (Math.floor(flat / outStrides[d]!) % dims[d]!) * strides[perm[d]!]!;
    return t.data[at]!;
  });
  return like(t, dims, values);
}

/** TensorProto.DataType values of floating-point types (FLOAT16, FLOAT, DOUBLE, BFLOAT16). */
export const FLOAT_TYPES: ReadonlySet<number> = new Set([1, 10, 11, 16]);

/** Cast to a float (held as float32) or to an integer type (to = TensorProto.DataType). */
export function castHost(t: HostTensor, to: number): HostTensor {
  if (FLOAT_TYPES.has(to)) return hostFloats(t.dims, t.data);
  if (to === 9)
    return hostInts(
      t.dims,
      Array.from(t.data, (v) => (v !== 0 ? 1 : 0)),
    );
  return hostInts(t.dims, Array.from(t.data, Math.trunc));
}
