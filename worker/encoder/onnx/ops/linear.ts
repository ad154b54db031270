/**
 * Gemm and MatMul: products in logical layout (a 4-D input is transposed back from NHWC first). A constant B is
 * re-laid out once per model (transposed, scaled by alpha); a constant C becomes the bias of tfjs's fused product.
 */
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../host.ts';
import { dimsOf, logical, tensor, type Value } from '../layout.ts';
import type { OnnxNode } from '../model.ts';
import { operand } from './elementwise.ts';
import { floatAttr, intAttr, type OpContext, type OpDef, OpError, required, tensorInput } from './op.ts';

/** A value in logical layout as a tensor (a constant one cached as it is). */
function asTensor(v: Value, ctx: OpContext): tf.Tensor {
  return v.kind === 'host' ? ctx.constants.tensor(v.host) : logical(v);
}

function gemmWeight(node: OnnxNode, b: HostTensor, ctx: OpContext): tf.Tensor2D {
  const transB = intAttr(node, 'transB', 0) === 1;
  const alpha = floatAttr(node, 'alpha', 1);
  return ctx.constants.get(node, 'gemm/B', [b], () => {
    const w = tf.tensor2d(b.data, b.dims as [number, number], 'float32');
    const laid = transB ? tf.transpose(w) : w;
    return alpha === 1 ? laid : tf.mul(laid, alpha);
  }) as tf.Tensor2D;
}

const gemm: OpDef = {
  run(node, inputs, ctx) {
    const a = logical(tensorInput(inputs, 0, 'A')) as tf.Tensor2D;
    const bv = required(inputs, 1, 'B');
    if (a.rank !== 2 || dimsOf(bv).length !== 2) throw new OpError('Gemm of inputs that are not 2-D');
    const transA = intAttr(node, 'transA', 0) === 1;
    const b =
      bv.kind === 'host'
        ? gemmWeight(node, bv.host, ctx)
        : (tf.mul(
            intAttr(node, 'transB', 0) === 1 ? tf.transpose(logical(bv)) : logical(bv),
            floatAttr(node, 'alpha', 1),
          ) as tf.Tensor2D);
    const cv = inputs[2];
    const n = b.shape[1]!;
    const bias = cv?.kind === 'host' ? rowBias(node, cv.host, n, ctx) : undefined;
    const y = tf.fused.matMul({ a, b, transposeA: transA, ...(bias ? { bias } : {}) });
    if (!cv || bias) return [tensor(y)];
    return [tensor(tf.add(y, tf.mul(operand(cv, 2, false, ctx), floatAttr(node, 'beta', 1))))];
  },
};

/**
 * beta·C as the [N] bias of a fused product (the only bias shape tfjs's wasm kernel takes) when C is the same for
 * every row: shape [N], [1, N], [1] or a scalar. Undefined otherwise.
 */
function rowBias(node: OnnxNode, c: HostTensor, n: number, ctx: OpContext): tf.Tensor1D | undefined {
  const size = c.data.length;
  const perRow = c.dims.length < 2 || c.dims[0] === 1;
  if (!perRow || (size !== n && size !== 1)) return undefined;
  const beta = floatAttr(node, 'beta', 1);
  return ctx.constants.get(node, 'gemm/C', [c], () =>
    tf.tensor1d(Float32Array.from({ length: n }, (_, j) => beta * c.data[size === 1 ? 0 : j]!)),
  ) as tf.Tensor1D;
}

/** numpy.matmul: 1-D operands are promoted to matrices and the added axis removed; batch axes broadcast. */
const matMul: OpDef = {
  run(_node, inputs, ctx) {
    const av = required(inputs, 0, 'A');
    const bv = required(inputs, 1, 'B');
    let a = asTensor(av, ctx);
    let b = asTensor(bv, ctx);
    const vectorA = a.rank === 1;
    const vectorB = b.rank === 1;
    if (vectorA) a = a.reshape([1, a.shape[0]!]);
    if (vectorB) b = b.reshape([b.shape[0]!, 1]);
    let y: tf.Tensor;
    if (b.rank === 2 && a.rank > 2) {
      // [..., M, K] · [K, N]: one 2-D product over all rows.
      const k = a.shape[a.rank - 1]!;
      y = tf.matMul(a.reshape([-1, k]), b).reshape([...a.shape.slice(0, -1), b.shape[1]!]);
    } else {
      y = tf.matMul(a, b);
    }
    if (vectorA) y = y.reshape([...y.shape.slice(0, -2), y.shape[y.rank - 1]!]);
    if (vectorB) y = y.reshape(y.shape.slice(0, -1));
    return [tensor(y)];
  },
};

export const LINEAR_OPS: Record<string, OpDef> = { Gemm: gemm, MatMul: matMul };
