/**
 * ReduceMean, ReduceSum and ReduceMax over logical axes, computed in the tensor's own layout. Axes are an attribute
 * before opset 18 (13 for ReduceSum) and an optional input after.
 */
import * as tf from '@tensorflow/tfjs';
import { dimsOf, permute, physicalAxis, TO_NCHW, tensor } from '../layout.ts';
import { intAttr, intsFrom, type OpDef, tensorInput } from './op.ts';

type Reducer = (x: tf.Tensor, axes: number[]) => tf.Tensor;

function reduceOp(reduce: Reducer): OpDef {
  return {
    run(node, inputs) {
      const x = tensorInput(inputs, 0, 'data');
      const dims = dimsOf(x);
      const given = intsFrom(node, inputs, 1, 'axes');
      if ((!given || given.length === 0) && intAttr(node, 'noop_with_empty_axes', 0) === 1) return [x];
      const axes = (given?.length ? given : dims.map((_, i) => i)).map((a) => (a < 0 ? a + dims.length : a));
      // Reduce with kept axes in the tensor's layout; a kept 4-D result stays in it.
      const kept = reduce(
        x.t,
        axes.map((a) => physicalAxis(x, a)),
      );
      if (intAttr(node, 'keepdims', 1) === 1) return [tensor(kept, x.nhwc)];
      const logicalKept = x.nhwc ? permute(kept, TO_NCHW) : kept;
      return [tensor(logicalKept.reshape(dims.filter((_, i) => !axes.includes(i))))];
    },
  };
}

export const REDUCE_OPS: Record<string, OpDef> = {
  ReduceMean: reduceOp((x, axes) => tf.mean(x, axes, true)),
  ReduceSum: reduceOp((x, axes) => tf.sum(x, axes, true)),
  ReduceMax: reduceOp((x, axes) => tf.max(x, axes, true)),
};
