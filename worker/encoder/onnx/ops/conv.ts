/**
 * Conv (2-D, any group count, pads, strides, dilations), computed in NHWC (layout.ts) with explicit padding so that
 * ONNX's asymmetric pads and auto_pad modes map exactly. Filters are re-laid out once per model: [Co, Ci/g, kH, kW]
 * becomes tfjs's [kH, kW, Ci, Co], or [kH, kW, C, multiplier] for a depthwise conv (group = input channels).
 */
import * as tf from '@tensorflow/tfjs';
import type { HostTensor } from '../host.ts';
import { dimsOf, nhwc, tensor } from '../layout.ts';
import { constant, intAttr, type OpContext, type OpDef, OpError, required } from './op.ts';
import { checkWindow, type Window, windowOf } from './window.ts';

/**
 * A dilated filter as an undilated one with zeros between its taps, [Co, Ci/g, (kH−1)·dH+1, (kW−1)·dW+1]: tfjs has no
 * gradient for dilated convolutions (and none at all with strides > 1), and ID³ differentiates through the encoder.
 * It costs the zeros' multiplications; dilated convolutions are rare in face-recognition networks.
 */
function spreadTaps(weight: HostTensor, [dh, dw]: [number, number]): tf.Tensor4D {
  const [co, ci, kh, kw] = weight.dims as [number, number, number, number];
  const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  const out = new Float32Array(co * ci * eh * ew);
  for (let o = 0; o < co * ci; o++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) out[(o * eh + i * dh) * ew + j * dw] = weight.data[(o * kh + i) * kw + j]!;
    }
  }
  return tf.tensor4d(out, [co, ci, eh, ew]);
}

interface ConvFilters {
  kind: 'conv' | 'depthwise';
  /** One filter per group (one for group = 1 and for depthwise). */
  filters: tf.Tensor4D[];
}

function filtersOf(weight: HostTensor, group: number, inChannels: number, win: Window, ctx: OpContext): ConvFilters {
  if (weight.dims.length !== 4) throw new OpError(`a weight of rank ${weight.dims.length}: only 2-D convolutions`);
  const [co, ciPerGroup] = weight.dims as [number, number];
  if (ciPerGroup * group !== inChannels) {
    throw new OpError(`weight [${weight.dims}] with group ${group} does not fit ${inChannels} input channels`);
  }
  const [kh, kw] = win.kernel.map((k, i) => (k - 1) * win.dilations[i]! + 1) as [number, number];
  // Made inside the cache's tidy: only the re-laid-out filter is kept, not a second copy of the ONNX one.
  const w = () => spreadTaps(weight, win.dilations);
  const dilation = win.dilations.join('x');
  if (group === inChannels && ciPerGroup === 1) {
    // Output channel o = c·m + k of group c is tfjs's depthwise channel c, multiplier k.
    const f = ctx.constants.get(weight, `depthwise/${dilation}`, [weight], () =>
      tf.transpose(w().reshape([inChannels, co / inChannels, kh, kw]), [2, 3, 0, 1]),
    );
    return { kind: 'depthwise', filters: [f as tf.Tensor4D] };
  }
  const perGroup = co / group;
  const filters = Array.from(
    { length: group },
    (_, g) =>
      ctx.constants.get(weight, `conv/${g}/${dilation}`, [weight], () =>
        tf.transpose(tf.slice(w(), [g * perGroup, 0, 0, 0], [perGroup, ciPerGroup, kh, kw]), [2, 3, 1, 0]),
      ) as tf.Tensor4D,
  );
  return { kind: 'conv', filters };
}

const conv: OpDef = {
  check: checkWindow,
  run(node, inputs, ctx) {
    const xv = required(inputs, 0, 'X');
    if (xv.kind !== 'tensor' || dimsOf(xv).length !== 4) throw new OpError('only 2-D convolutions of a tensor input');
    const weight = constant(inputs, 1, 'W');
    const bias = inputs[2] ? constant(inputs, 2, 'B') : undefined;
    const [, ci, h, wd] = dimsOf(xv) as [number, number, number, number];
    const group = intAttr(node, 'group', 1);
    const win = windowOf(node, [h, wd], [weight.dims[2]!, weight.dims[3]!]);
    const { kind, filters } = filtersOf(weight, group, ci, win, ctx);
    const x = nhwc(xv);
    const b = bias ? (ctx.constants.tensor(bias) as tf.Tensor1D) : undefined;
    const one = (input: tf.Tensor4D, f: tf.Tensor4D, bias?: tf.Tensor1D) =>
      kind === 'depthwise'
        ? tf.depthwiseConv2d(input, f, win.strides, win.pads)
        : tf.fused.conv2d({ x: input, filter: f, strides: win.strides, pad: win.pads, bias });
    let y: tf.Tensor4D;
    if (filters.length === 1) y = one(x, filters[0]!, kind === 'conv' ? b : undefined);
    else {
      const per = ci / group;
      y = tf.concat(
        filters.map((f, g) => one(tf.slice(x, [0, 0, 0, g * per], [-1, -1, -1, per]), f)),
        3,
      ) as tf.Tensor4D;
    }
    if (b && (kind === 'depthwise' || filters.length > 1)) y = tf.add(y, b);
    return [tensor(y, true)];
  },
};

export const CONV_OPS: Record<string, OpDef> = { Conv: conv };
