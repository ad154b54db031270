/**
 * Pad in constant, reflect and edge modes, in the tensor's own layout. The pads (and the constant value) are
 * attributes before opset 11 and inputs from 11; opset 18 adds an optional axes input.
 */
import * as tf from '@tensorflow/tfjs';
import { valuesOf } from '../host.ts';
import { dimsOf, physicalAxis, tensor, type Value } from '../layout.ts';
import type { OnnxNode } from '../model.ts';
import { constant, floatAttr, intsAttr, type OpDef, OpError, stringAttr, tensorInput } from './op.ts';

const MODES = ['constant', 'reflect', 'edge'];

/** Logical [begin, end] per axis from ONNX's [b0, b1, ..., e0, e1, ...] (over `axes`, or all axes). */
function padsPerAxis(node: OnnxNode, inputs: (Value | undefined)[], rank: number, opset: number): [number, number][] {
  const flat = opset < 11 ? (intsAttr(node, 'pads') ?? []) : valuesOf(constant(inputs, 1, 'pads'));
  const axes = inputs[3] ? valuesOf(constant(inputs, 3, 'axes')).map((a) => (a < 0 ? a + rank : a)) : undefined;
  const listed = axes ?? Array.from({ length: rank }, (_, i) => i);
  if (flat.length !== 2 * listed.length) throw new OpError(`${flat.length} pads for ${listed.length} axes`);
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
  listed.forEach((axis, k) => {
    out[axis] = [flat[k]!, flat[k + listed.length]!];
  });
  if (out.some(([b, e]) => b < 0 || e < 0)) throw new OpError('negative pads (cropping)');
  return out;
}

/**
 * Edge and reflect padding, one axis at a time, from slices, tiles and reversals: tfjs's MirrorPad computes the right
 * values but a wrong gradient (found by the finite-difference test), and has no edge mode.
 */
function borderPad(x: tf.Tensor, pads: [number, number][], mode: 'edge' | 'reflect'): tf.Tensor {
  return pads.reduce((acc, [before, after], axis) => {
    if (before === 0 && after === 0) return acc;
    const n = acc.shape[axis]!;
    if (mode === 'reflect' && (before >= n || after >= n))
      throw new OpError(`reflect pads ${before}, ${after} on ${n}`);
    const take = (at: number, count: number) =>
      tf.slice(
        acc,
        acc.shape.map((_, i) => (i === axis ? at : 0)),
        acc.shape.map((d, i) => (i === axis ? count : d)),
      );
    const edge = (at: number, times: number) =>
      tf.tile(
        take(at, 1),
        acc.shape.map((_, i) => (i === axis ? times : 1)),
      );
    const head = mode === 'edge' ? edge(0, before) : tf.reverse(take(1, before), axis);
    const tail = mode === 'edge' ? edge(n - 1, after) : tf.reverse(take(n - 1 - after, after), axis);
    return tf.concat([...(before ? [head] : []), acc, ...(after ? [tail] : [])], axis);
  }, x);
}

const pad: OpDef = {
  check(node) {
    const mode = stringAttr(node, 'mode', 'constant');
    return MODES.includes(mode) ? [] : [`mode ${mode}`];
  },
  run(node, inputs, ctx) {
    const x = tensorInput(inputs, 0, 'data');
    const rank = dimsOf(x).length;
    const logicalPads = padsPerAxis(node, inputs, rank, ctx.opset);
    const pads = new Array<[number, number]>(rank);
    logicalPads.forEach((p, axis) => {
      pads[physicalAxis(x, axis, rank)] = p;
    });
    const mode = stringAttr(node, 'mode', 'constant');
    if (mode === 'reflect' || mode === 'edge') return [tensor(borderPad(x.t, pads, mode), x.nhwc)];
    const value =
      ctx.opset < 11 ? floatAttr(node, 'value', 0) : inputs[2] ? constant(inputs, 2, 'constant_value').data[0]! : 0;
    return [tensor(tf.pad(x.t, pads, value), x.nhwc)];
  },
};

export const PAD_OPS: Record<string, OpDef> = { Pad: pad };
