/**
 * Values flowing through the converted graph, and their memory layout.
 *
 * ONNX is NCHW; tfjs convolutions and pools are NHWC (the wasm backend supports nothing else). Rather than transpose
 * around every convolution, a 4-D tensor carries a flag: `nhwc` means its tfjs tensor holds the logical NCHW value
 * with axes permuted to [N, H, W, C]. Convolutions, pools, batch norm, activations and broadcasting arithmetic work in
 * either layout (their constants are permuted once to match), so a whole conv trunk runs without a transpose; the
 * few ops whose meaning depends on memory order (Flatten, Reshape, Transpose, MatMul, Gather...) ask for the logical
 * layout and get one transpose at the end of the trunk, usually of a [N, C, 1, 1] tensor, which is a free reshape.
 *
 * Constants (host tensors) flow as values too, so shape arithmetic folds on the host (host.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from './host.ts';

export type Value = { kind: 'host'; host: HostTensor } | { kind: 'tensor'; t: tf.Tensor; nhwc: boolean };

/** Physical position of each logical NCHW axis in an NHWC tensor. */
const PHYSICAL_AXIS = [0, 3, 1, 2];
/** tf.transpose permutations between the layouts. */
export const TO_NHWC = [0, 2, 3, 1];
export const TO_NCHW = [0, 3, 1, 2];

export const host = (h: HostTensor): Value => ({ kind: 'host', host: h });
export const tensor = (t: tf.Tensor, nhwc = false): Value => ({ kind: 'tensor', t, nhwc: nhwc && t.rank === 4 });

/** The value's logical (ONNX) shape. */
export function dimsOf(v: Value): number[] {
  if (v.kind === 'host') return v.host.dims;
  const s = v.t.shape;
  return v.nhwc ? [s[0]!, s[3]!, s[1]!, s[2]!] : [...s];
}

/** The physical axis that holds logical `axis` (negative counts from the end). */
export function physicalAxis(v: Value, axis: number, rank = dimsOf(v).length): number {
  const a = axis < 0 ? axis + rank : axis;
  return v.kind === 'tensor' && v.nhwc ? PHYSICAL_AXIS[a]! : a;
}

/**
 * tf.transpose, or a reshape when only size-1 axes move (the elements keep their order): [N, C, 1, 1] ↔ [N, 1, 1, C]
 * is free.
 */
export function permute(t: tf.Tensor, perm: readonly number[]): tf.Tensor {
  const moving = perm.filter((p) => t.shape[p] !== 1);
  const shape = perm.map((p) => t.shape[p]!);
  if (perm.every((p, i) => p === i)) return t;
  return moving.every((p, i) => i === 0 || p > moving[i - 1]!) ? t.reshape(shape) : tf.transpose(t, [...perm]);
}

/** The tensor in logical layout (tfjs shape = ONNX shape). Host values must be converted by the caller. */
export function logical(v: Value & { kind: 'tensor' }): tf.Tensor {
  return v.nhwc ? permute(v.t, TO_NCHW) : v.t;
}

/** A rank-4 tensor in NHWC layout. */
export function nhwc(v: Value & { kind: 'tensor' }): tf.Tensor4D {
  return (v.nhwc ? v.t : permute(v.t, TO_NHWC)) as tf.Tensor4D;
}

/**
 * A tensor of logical shape `dims` laid out to take part in an op whose output has logical rank `rank` and the given
 * layout: right-aligned to that rank with leading 1s (ONNX broadcasting), then permuted to NHWC when asked.
 */
export function broadcastable(t: tf.Tensor, dims: readonly number[], rank: number, toNhwc: boolean): tf.Tensor {
  const full = [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const shaped = full.length === t.rank && full.every((d, i) => d === t.shape[i]) ? t : t.reshape(full);
  return toNhwc && rank === 4 ? permute(shaped, TO_NHWC) : shaped;
}
