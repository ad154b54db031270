/**
 * Shape and layout operators: Shape, Constant, ConstantOfShape, Gather, Slice, Cast, Concat, Reshape, Flatten,
 * Squeeze, Unsqueeze, Transpose. On constants they fold on the host (host.ts), which is how PyTorch's
 * Shape → Gather → Unsqueeze → Concat → Reshape chains become plain reshapes. On tensors, those whose result depends
 * on memory order take the logical layout first (a transpose, or a free reshape for [N, C, 1, 1]).
 */
import * as tf from '@tensorflow/tfjs';
import {
  castHost,
  concatHost,
  FLOAT_TYPES,
  gatherHost,
  type HostTensor,
  hostFloats,
  hostInts,
  reshapeHost,
  type SliceSpec,
  sizeOf,
  sliceHost,
  sliceSpec,
  transposeHost,
  valuesOf,
} from '../host.ts';
import { dimsOf, host, logical, permute, physicalAxis, TO_NHWC, tensor, type Value } from '../layout.ts';
import type { OnnxNode } from '../model.ts';
import { operand } from './elementwise.ts';
import { constant, floatAttr, intAttr, intsAttr, intsFrom, type OpDef, OpError, required, tensorAttr } from './op.ts';
import { stridedSlice as sliceTensor } from './strided.ts';

/** The value reshaped to `dims` (logical), on the host or as a tensor. */
function reshaped(v: Value, dims: number[]): Value {
  if (v.kind === 'host') return host(reshapeHost(v.host, dims));
  return tensor(logical(v).reshape(dims));
}

const shape: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const dims = dimsOf(required(inputs, 0, 'data'));
    const norm = (i: number) => Math.min(Math.max(i < 0 ? i + dims.length : i, 0), dims.length);
    const part = dims.slice(norm(intAttr(node, 'start', 0)), norm(intAttr(node, 'end', dims.length)));
    return [host(hostInts([part.length], part))];
  },
};

const constantOp: OpDef = {
  foldsHost: true,
  check(node) {
    const known = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'];
    return Object.keys(node.attrs)
      .filter((k) => !known.includes(k))
      .map((k) => `Constant ${k}`);
  },
  run(node) {
    const t = tensorAttr(node, 'value');
    if (t) return [host(t)];
    const floats = intsAttr(node, 'value_floats');
    if (floats) return [host(hostFloats([floats.length], floats))];
    const ints = intsAttr(node, 'value_ints');
    if (ints) return [host(hostInts([ints.length], ints))];
    if (node.attrs.value_float !== undefined) return [host(hostFloats([], [floatAttr(node, 'value_float', 0)]))];
    return [host(hostInts([], [intAttr(node, 'value_int', 0)]))];
  },
};

const constantOfShape: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const dims = valuesOf(constant(inputs, 0, 'shape'));
    const value = tensorAttr(node, 'value') ?? hostFloats([1], [0]);
    const data = new Array<number>(sizeOf(dims)).fill(value.data[0] ?? 0);
    return [host(value.dtype === 'float32' ? hostFloats(dims, data) : hostInts(dims, data))];
  },
};

const gather: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'data');
    const indices = constant(inputs, 1, 'indices');
    const axis = intAttr(node, 'axis', 0);
    if (data.kind === 'host') return [host(gatherHost(data.host, indices, axis))];
    const dims = dimsOf(data);
    const ax = axis < 0 ? axis + dims.length : axis;
    const n = dims[ax]!;
    const picked = gatherBySlices(
      logical(data),
      Array.from(indices.data, (i) => (i < 0 ? i + n : i)),
      ax,
    );
    return [tensor(picked.reshape([...dims.slice(0, ax), ...indices.dims, ...dims.slice(ax + 1)]))];
  },
};

/**
 * tf.gather as slices of consecutive runs of indices, concatenated: tfjs's gather gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks.
 */
function gatherBySlices(x: tf.Tensor, indices: number[], axis: number): tf.Tensor {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs.at(-1);
    if (last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  }
  const parts = runs.map(([begin, count]) =>
    tf.slice(
      x,
      x.shape.map((_, d) => (d === axis ? begin : 0)),
      x.shape.map((s, d) => (d === axis ? count : s)),
    ),
  );
  return parts.length === 1 ? parts[0]! : tf.concat(parts, axis);
}

function sliceArgs(node: OnnxNode, inputs: (Value | undefined)[], opset: number) {
  if (opset < 10) {
    return { starts: intsAttr(node, 'starts') ?? [], ends: intsAttr(node, 'ends') ?? [], axes: intsAttr(node, 'axes') };
  }
  const ints = (i: number) => (inputs[i] ? valuesOf(constant(inputs, i, 'slice argument')) : undefined);
  return { starts: ints(1) ?? [], ends: ints(2) ?? [], axes: ints(3), steps: ints(4) };
}

const slice: OpDef = {
  foldsHost: true,
  run(node, inputs, ctx) {
    const data = required(inputs, 0, 'data');
    const { starts, ends, axes, steps } = sliceArgs(node, inputs, ctx.opset);
    const spec = sliceSpec(dimsOf(data), starts, ends, axes, steps);
    if (data.kind === 'host') return [host(sliceHost(data.host, spec))];
    if (spec.step.some((s) => s < 0)) throw new OpError('a negative step on a tensor');
    return [tensor(sliceInLayout(data, spec), data.nhwc)];
  },
};

/** A tensor slice in the tensor's own layout. */
function sliceInLayout(v: Value & { kind: 'tensor' }, spec: SliceSpec): tf.Tensor {
  const rank = spec.start.length;
  const at = (arr: number[]) => {
    const out = new Array<number>(rank);
    arr.forEach((x, logicalAxis) => {
      out[physicalAxis(v, logicalAxis, rank)] = x;
    });
    return out;
  };
  return sliceTensor(v.t, at(spec.start), at(spec.count), at(spec.step));
}

const cast: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const x = required(inputs, 0, 'input');
    const to = intAttr(node, 'to', 1);
    if (x.kind === 'host') return [host(castHost(x.host, to))];
    if (!FLOAT_TYPES.has(to)) throw new OpError(`a cast of a tensor to data type ${to} (tensors stay float32)`);
    return [x];
  },
};

const concat: OpDef = {
  foldsHost: true,
  run(node, inputs, ctx) {
    const values = inputs.filter((v): v is Value => v !== undefined && sizeOf(dimsOf(v)) > 0);
    const axis = intAttr(node, 'axis', 0);
    if (values.every((v) => v.kind === 'host'))
      return [
        host(
          concatHost(
            values.map((v) => (v as { host: HostTensor }).host),
            axis,
          ),
        ),
      ];
    const rank = dimsOf(values[0]!).length;
    const toNhwc = rank === 4 && values.some((v) => v.kind === 'tensor' && v.nhwc);
    const parts = values.map((v) => operand(v, rank, toNhwc, ctx));
    const ax = axis < 0 ? axis + rank : axis;
    return [tensor(tf.concat(parts, toNhwc ? [0, 3, 1, 2][ax]! : ax), toNhwc)];
  },
};

/** Reshape's target: 0 copies the input's size (unless allowzero), -1 takes what is left. */
export function reshapeTarget(input: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const dims = target.map((d, i) => (d === 0 && !allowZero ? input[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const total = sizeOf(input);
  const out = dims.map((d) => (d === -1 ? total / known : d));
  if (sizeOf(out) !== total || out.some((d) => !Number.isInteger(d))) {
    throw new OpError(`cannot reshape [${input}] to [${target}]`);
  }
  return out;
}

const reshape: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'data');
    const target = valuesOf(constant(inputs, 1, 'shape'));
    return [reshaped(data, reshapeTarget(dimsOf(data), target, intAttr(node, 'allowzero', 0) === 1))];
  },
};

const flatten: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'input');
    const dims = dimsOf(data);
    const axis = intAttr(node, 'axis', 1);
    const ax = axis < 0 ? axis + dims.length : axis;
    return [reshaped(data, [sizeOf(dims.slice(0, ax)), sizeOf(dims.slice(ax))])];
  },
};

const unsqueeze: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'data');
    const dims = dimsOf(data);
    const given = intsFrom(node, inputs, 1, 'axes') ?? [];
    const rank = dims.length + given.length;
    const axes = given.map((a) => (a < 0 ? a + rank : a));
    const out: number[] = [];
    let next = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : dims[next++]!);
    return [reshaped(data, out)];
  },
};

const squeeze: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'data');
    const dims = dimsOf(data);
    const axes = intsFrom(node, inputs, 1, 'axes')?.map((a) => (a < 0 ? a + dims.length : a));
    if (axes?.some((a) => dims[a] !== 1)) throw new OpError(`squeezing axes [${axes}] of [${dims}], not all of size 1`);
    return [
      reshaped(
        data,
        dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)),
      ),
    ];
  },
};

/**
 * Transpose. A 4-D result may come out in either layout, so the one that needs no data movement is taken: the pair
 * Transpose(0,2,3,1) … Transpose(0,3,1,2) that PyTorch writes around a channels-last step costs nothing.
 */
const transpose: OpDef = {
  foldsHost: true,
  run(node, inputs) {
    const data = required(inputs, 0, 'data');
    const rank = dimsOf(data).length;
    const perm = intsAttr(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (data.kind === 'host') return [host(transposeHost(data.host, perm))];
    // Physical perm from the input's tensor to an output held in layout `toNhwc`.
    const physical = (toNhwc: boolean) =>
      Array.from({ length: rank }, (_, i) => physicalAxis(data, perm[toNhwc ? TO_NHWC[i]! : i]!, rank));
    const isIdentity = (p: number[]) => p.every((a, i) => a === i);
    const toNhwc = rank === 4 && isIdentity(physical(true)) && !isIdentity(physical(false));
    return [tensor(permute(data.t, physical(toNhwc)), toNhwc)];
  },
};

export const SHAPE_OPS: Record<string, OpDef> = {
  Shape: shape,
  Constant: constantOp,
  ConstantOfShape: constantOfShape,
  Gather: gather,
  Slice: slice,
  Cast: cast,
  Concat: concat,
  Reshape: reshape,
  Flatten: flatten,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Transpose: transpose,
};
