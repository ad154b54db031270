/**
 * MaxPool, AveragePool and the global pools, in NHWC. Where tfjs's own padding gives the right forward value but a
 * wrong gradient, the padding is made explicit and the pool runs unpadded (its gradient is right there):
 *   - AveragePool without the padding in the count: tfjs's AvgPoolGrad divides by the full window everywhere, so the
 *     average is taken as (sum over the zero-padded window) · (window size / count of real pixels);
 *   - MaxPool: the wasm backend's MaxPoolGrad is wrong in many geometries (1×1 stride 2, IR-SE's shortcut; 2×2;
 *     3×2; 3×3 stride 2 pad 1 on 17×17 but not on 9×9), so max pooling is the element-wise maximum of the window's
 *     kH·kW strided slices of the input padded with the lowest float32: more kernels, a right gradient everywhere.
 * Found by the finite-difference test over every operator case (test/encoder/onnx-gradients.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { dimsOf, nhwc, tensor, type Value } from '../layout.ts';
import type { OnnxNode } from '../model.ts';
import { intAttr, intsAttr, type OpContext, type OpDef, OpError, required } from './op.ts';
import { stridedSlice } from './strided.ts';
import { checkWindow, type Pads, pair, type Window, windowOf } from './window.ts';

const LOWEST_FLOAT32 = -3.4028234663852886e38;

function poolInput(node: OnnxNode, inputs: (Value | undefined)[]): { x: tf.Tensor4D; win: Window } {
  const xv = required(inputs, 0, 'X');
  if (xv.kind !== 'tensor' || dimsOf(xv).length !== 4) throw new OpError('only 2-D pooling of a tensor input');
  const [, , h, w] = dimsOf(xv) as [number, number, number, number];
  const kernel = pair(intsAttr(node, 'kernel_shape'), 1, 'kernel_shape');
  const win = windowOf(node, [h, w], kernel);
  if (intAttr(node, 'ceil_mode', 0) === 1) {
    // ceil_mode only matters where a last, partial window would add an output; such windows are not supported.
    const span = (i: 0 | 1) => [h, w][i]! + win.pads[i + 1]![0] + win.pads[i + 1]![1] - kernel[i];
    if ([0, 1].some((i) => span(i as 0 | 1) % win.strides[i]! !== 0)) {
      throw new OpError('ceil_mode = 1 where it changes the output size (a partial last window)');
    }
  }
  return { x: nhwc(xv), win };
}

function checkPool(node: OnnxNode): string[] {
  const problems = checkWindow(node);
  const dilations = intsAttr(node, 'dilations');
  if (dilations?.some((d) => d !== 1)) problems.push(`dilations [${dilations}] (only 1 is supported for pooling)`);
  if (node.outputs.length > 1 && node.outputs[1]) problems.push('the Indices output');
  return problems;
}

const padded = (pads: Pads) => pads.some(([a, b]) => a > 0 || b > 0);

/** Max pooling over an unpadded input as the element-wise maximum of kH·kW strided slices. */
function maxOfSlices(x: tf.Tensor4D, win: Window): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.strides;
  const count = [b, Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1, c];
  let y: tf.Tensor | undefined;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const tap = stridedSlice(x, [0, i, j, 0], count, [1, sh, sw, 1]);
      y = y ? tf.maximum(y, tap) : tap;
    }
  }
  return y!;
}

const maxPool: OpDef = {
  check: checkPool,
  run(node, inputs) {
    const { x, win } = poolInput(node, inputs);
    const lowered = padded(win.pads) ? tf.pad(x, win.pads, LOWEST_FLOAT32) : x;
    return [tensor(maxOfSlices(lowered, win), true)];
  },
};

/** [1, OH, OW, 1]: window size / number of real (unpadded) pixels in each output's window. */
function countScale(node: OnnxNode, x: tf.Tensor4D, win: Window, ctx: OpContext): tf.Tensor {
  const [, h, w] = x.shape;
  const [[, [top, bottom], [left, right]]] = [win.pads];
  const axis = (n: number, before: number, after: number, k: number, s: number) => {
    const out = Math.floor((n + before + after - k) / s) + 1;
    return Array.from({ length: out }, (_, o) => {
      const start = o * s - before;
      return Math.min(start + k, n) - Math.max(start, 0);
    });
  };
  const rows = axis(h, top, bottom, win.kernel[0], win.strides[0]);
  const cols = axis(w, left, right, win.kernel[1], win.strides[1]);
  const size = win.kernel[0] * win.kernel[1];
  return ctx.constants.get(node, `avg/${h}x${w}`, [], () =>
    tf.tensor4d(
      rows.flatMap((r) => cols.map((c) => size / (r * c))),
      [1, rows.length, cols.length, 1],
    ),
  );
}

const averagePool: OpDef = {
  check: checkPool,
  run(node, inputs, ctx) {
    const { x, win } = poolInput(node, inputs);
    if (!padded(win.pads)) return [tensor(tf.avgPool(x, win.kernel, win.strides, 'valid'), true)];
    const withPad = tf.avgPool(tf.pad(x, win.pads), win.kernel, win.strides, 'valid');
    const countPad = intAttr(node, 'count_include_pad', 0) === 1;
    return [tensor(countPad ? withPad : tf.mul(withPad, countScale(node, x, win, ctx)), true)];
  },
};

function globalPool(reduce: (x: tf.Tensor4D) => tf.Tensor): OpDef {
  return {
    run(_node, inputs) {
      const xv = required(inputs, 0, 'X');
      if (xv.kind !== 'tensor' || dimsOf(xv).length !== 4) throw new OpError('only 2-D pooling of a tensor input');
      return [tensor(reduce(nhwc(xv)), true)];
    },
  };
}

export const POOL_OPS: Record<string, OpDef> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalPool((x) => tf.mean(x, [1, 2], true)),
  GlobalMaxPool: globalPool((x) => tf.max(x, [1, 2], true)),
};
