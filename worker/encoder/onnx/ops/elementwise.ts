/**
 * Element-wise operators: Add/Sub/Mul/Div with ONNX (numpy) broadcasting, activations, PRelu, BatchNormalization
 * (inference: a per-channel scale and shift), and the pass-throughs Identity and Dropout. All work in either layout:
 * a constant operand is right-aligned to the output's rank and permuted like the tensor it meets (layout.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { binaryHost, broadcastShapes, type HostTensor, hostFloats } from '../host.ts';
import { broadcastable, dimsOf, host, logical, tensor, type Value } from '../layout.ts';
import type { OnnxNode } from '../model.ts';
import { constant, floatAttr, intAttr, type OpContext, type OpDef, OpError, required, tensorInput } from './op.ts';

/** A value as a tfjs tensor laid out for an op of output rank `rank` in NHWC (toNhwc) or logical layout. */
export function operand(v: Value, rank: number, toNhwc: boolean, ctx: OpContext): tf.Tensor {
  if (v.kind === 'host') {
    const h = v.host;
    return ctx.constants.get(h, `operand/${rank}/${toNhwc}`, [h], () =>
      broadcastable(tf.tensor(Float32Array.from(h.data), h.dims, 'float32'), h.dims, rank, toNhwc),
    );
  }
  if (v.nhwc) return toNhwc ? v.t : logical(v);
  return broadcastable(v.t, dimsOf(v), rank, toNhwc);
}

/** The layout for an op over these values: NHWC when the output is 4-D and a 4-D input already is. */
export function layoutFor(values: Value[], rank: number): boolean {
  return rank === 4 && values.some((v) => v.kind === 'tensor' && v.nhwc);
}

function binary(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, onHost: (a: number, b: number) => number): OpDef {
  return {
    foldsHost: true,
    run(_node, inputs, ctx) {
      const a = required(inputs, 0, 'A');
      const b = required(inputs, 1, 'B');
      if (a.kind === 'host' && b.kind === 'host') return [host(binaryHost(a.host, b.host, onHost))];
      const rank = broadcastShapes(dimsOf(a), dimsOf(b)).length;
      const toNhwc = layoutFor([a, b], rank);
      return [tensor(op(operand(a, rank, toNhwc, ctx), operand(b, rank, toNhwc, ctx)), toNhwc)];
    },
  };
}

/** An activation: the same function in any layout. */
function unary(op: (x: tf.Tensor, node: OnnxNode) => tf.Tensor): OpDef {
  return {
    run(node, inputs) {
      const x = tensorInput(inputs, 0, 'X');
      return [tensor(op(x.t, node), x.nhwc)];
    },
  };
}

const passThrough: OpDef = {
  foldsHost: true,
  check(node) {
    return node.outputs.length > 1 && node.outputs[1] ? ['the mask output of Dropout'] : [];
  },
  run(_node, inputs) {
    const training = inputs[2];
    if (training?.kind === 'host' && training.host.data[0]) throw new OpError('training_mode = true');
    if (training?.kind === 'tensor') throw new OpError('training_mode computed at run time');
    return [required(inputs, 0, 'input')];
  },
};

/** Clip's bounds: attributes before opset 11, optional constant inputs from 11 on. */
function clipBounds(node: OnnxNode, inputs: (Value | undefined)[], opset: number): [number, number] {
  if (opset < 11) return [floatAttr(node, 'min', -Infinity), floatAttr(node, 'max', Infinity)];
  const bound = (i: number, fallback: number) => (inputs[i] ? constant(inputs, i, 'bound').data[0]! : fallback);
  return [bound(1, -Infinity), bound(2, Infinity)];
}

const clip: OpDef = {
  run(node, inputs, ctx) {
    const x = tensorInput(inputs, 0, 'input');
    const [lo, hi] = clipBounds(node, inputs, ctx.opset);
    const y = hi === Infinity ? x.t : tf.minimum(x.t, hi);
    return [tensor(lo === -Infinity ? y : tf.maximum(y, lo), x.nhwc)];
  },
};

/** PRelu; tfjs's prelu kernel (wasm: XNNPACK) takes slopes along the last axis only, other shapes use max/min. */
const prelu: OpDef = {
  run(_node, inputs, ctx) {
    const x = tensorInput(inputs, 0, 'X');
    const slope = required(inputs, 1, 'slope');
    const rank = dimsOf(x).length;
    const alpha = operand(slope, rank, x.nhwc, ctx);
    const lastAxisOnly = alpha.shape.slice(0, -1).every((d) => d === 1) && alpha.shape.length === rank;
    const fits = lastAxisOnly && (alpha.shape[rank - 1] === x.t.shape[rank - 1] || alpha.size === 1);
    const y = fits ? tf.prelu(x.t, alpha) : tf.add(tf.relu(x.t), tf.mul(alpha, tf.minimum(x.t, 0)));
    return [tensor(y, x.nhwc)];
  },
};

/** BatchNormalization at inference: y = x·s + t with s = γ/√(σ² + ε), t = β − μ·s per channel (axis 1). */
const batchNorm: OpDef = {
  check(node) {
    const problems: string[] = [];
    if (intAttr(node, 'training_mode', 0) !== 0) problems.push('training_mode = 1');
    if (intAttr(node, 'spatial', 1) !== 1) problems.push('spatial = 0');
    if (node.outputs.slice(1).some(Boolean)) problems.push('the running mean/variance outputs (training mode)');
    return problems;
  },
  run(node, inputs, ctx) {
    const x = tensorInput(inputs, 0, 'X');
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
      constant(inputs, i, ['scale', 'B', 'mean', 'var'][i - 1]!),
    );
    const eps = floatAttr(node, 'epsilon', 1e-5);
    const rank = dimsOf(x).length;
    const channels = gamma!.dims[0] ?? 1;
    const perChannel = (h: HostTensor) => ({
      ...h,
      dims: [channels, ...new Array<number>(Math.max(0, rank - 2)).fill(1)],
    });
    const s = gamma!.data.map((g, c) => g / Math.sqrt(variance!.data[c]! + eps));
    const t = beta!.data.map((b, c) => b - mean!.data[c]! * s[c]!);
    const sources = [gamma!, beta!, mean!, variance!];
    const factor = (values: ArrayLike<number>, name: string) =>
      ctx.constants.get(node, `${name}/${rank}/${x.nhwc}`, sources, () =>
        operand(host(perChannel(hostFloats([channels], values))), rank, x.nhwc, ctx),
      );
    return [tensor(tf.add(tf.mul(x.t, factor(s, 'scale')), factor(t, 'shift')), x.nhwc)];
  },
};

export const ELEMENTWISE_OPS: Record<string, OpDef> = {
  Add: binary(
    (a, b) => tf.add(a, b),
    (a, b) => a + b,
  ),
  Sub: binary(
    (a, b) => tf.sub(a, b),
    (a, b) => a - b,
  ),
  Mul: binary(
    (a, b) => tf.mul(a, b),
    (a, b) => a * b,
  ),
  Div: binary(
    (a, b) => tf.div(a, b),
    (a, b) => a / b,
  ),
  Relu: unary((x) => tf.relu(x)),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  Tanh: unary((x) => tf.tanh(x)),
  LeakyRelu: unary((x, node) => tf.leakyRelu(x, floatAttr(node, 'alpha', 0.01))),
  Clip: clip,
  PRelu: prelu,
  BatchNormalization: batchNorm,
  Identity: passThrough,
  Dropout: passThrough,
};
