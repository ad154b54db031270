/**
 * Strided slicing with a gradient: tfjs registers no gradient for StridedSlice, so x[b : b + n·s : s] along an axis
 * is a slice, a zero pad up to n·s elements, a reshape to [n, s] and the first of each s.
 */
import * as tf from '@tensorflow/tfjs';

function takeEvery(x: tf.Tensor, axis: number, begin: number, count: number, step: number): tf.Tensor {
  const size = x.shape[axis]!;
  if (step === 1 && begin === 0 && count === size) return x;
  const span = Math.min(count * step, size - begin);
  const at = (v: number, rest: number) => x.shape.map((d, i) => (i === axis ? v : rest < 0 ? d : rest));
  let y = tf.slice(x, at(begin, 0), at(span, -1));
  if (step === 1) return y;
  if (span < count * step)
    y = tf.pad(
      y,
      x.shape.map((_, i) => (i === axis ? [0, count * step - span] : [0, 0])),
    );
  const split = [...x.shape.slice(0, axis), count, step, ...x.shape.slice(axis + 1)];
  const first = tf.slice(
    y.reshape(split),
    split.map(() => 0),
    split.map((d, i) => (i === axis + 1 ? 1 : d)),
  );
  return first.reshape(split.filter((_, i) => i !== axis + 1));
}

/** Per axis: `count` elements from `begin`, every `step` (step ≥ 1). */
export function stridedSlice(x: tf.Tensor, begin: number[], count: number[], step: number[]): tf.Tensor {
  return begin.reduce((y, b, axis) => takeEvery(y, axis, b, count[axis]!, step[axis]!), x);
}
