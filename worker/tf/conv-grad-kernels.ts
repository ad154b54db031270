/**
 * Convolution gradients written as forward convolutions, for backends whose own are missing or slow (wasm has no
 * Conv2DBackpropFilter and no depthwise backprops; its Conv2DBackpropInput is a plain loop). Forward convolutions run
 * on XNNPACK, so training a U-Net on wasm costs about what its forward passes cost.
 *
 * Notation (NHWC; filter [fh, fw, ci, co]; stride s; padding top/left as tfjs computes it):
 *   dW = conv2d(xᵀ, dyᵀ, dilation = s)       xᵀ = x padded, as [ci, Hp, Wp, B];  dyᵀ = dy as [OH, OW, B, co]
 *   dX = conv2d(pad(up_s(dy)), flip(W)ᵀ)       up_s puts s−1 zeros between rows and columns of dy;
 *                                              flip(W)ᵀ reverses the filter in space and swaps ci and co
 * The depthwise forms are the same with channels kept apart: dW folds (channel, image) into the channel axis of one
 * depthwise convolution; dX sums the channel multiplier after a depthwise convolution with the flipped filter.
 *
 * Every helper here calls the backend's own kernels directly (not tf ops), because a kernel runs inside the engine's
 * gradient computation and must not record onto the tape; intermediates are released with disposeData.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
/** The two methods of the wasm backend used to read and write its heap directly. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}
type Attrs = tf.NamedAttrMap;
type Pads = [[number, number], [number, number], [number, number], [number, number]];

/** Runs the registered kernels of one backend on TensorInfos and keeps track of what to release. */
class KernelRunner {
  readonly owned: TensorInfo[] = [];
  constructor(
    private readonly backendName: string,
    private readonly backend: tf.KernelBackend,
  ) {}

  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (!kernel) throw new Error(`kernel ${kernelName} is not registered for backend ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo;
    this.owned.push(out);
    return out;
  }

  /** Releases every intermediate except `keep`, the kernel's result. */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.owned) if (t !== keep) this.backend.disposeData(t.dataId);
    return keep;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }
  pad(x: TensorInfo, paddings: number[][]): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }
  conv2d(x: TensorInfo, filter: TensorInfo, pads: Pads, dilations: [number, number]): TensorInfo {
    return this.run('Conv2D', { x, filter }, {
      strides: [1, 1],
      pad: pads,
      dilations,
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as Attrs);
  }
  /**
   * The filter reversed in space and, with `swapChannels`, with its last two axes swapped: [fh, fw, a, b] →
   * [fh, fw, b, a]. On wasm one pass over a heap view (its Reverse kernel costs ~100 ns per element, more than the
   * convolution it feeds); elsewhere Reverse and Transpose.
   */
  flipFilter(filter: TensorInfo, swapChannels: boolean): TensorInfo {
    const heap = this.backend as unknown as HeapBackend;
    if (this.backendName !== 'wasm' || typeof heap.typedArrayFromHeap !== 'function') {
      const reversed = this.run('Reverse', { x: filter }, { dims: [0, 1] });
      return swapChannels ? this.transpose(reversed, [0, 1, 3, 2]) : reversed;
    }
    const [fh, fw, a, b] = filter.shape as [number, number, number, number];
    const out = heap.makeOutput(swapChannels ? [fh, fw, b, a] : [fh, fw, a, b], 'float32');
    this.owned.push(out);
    const src = heap.typedArrayFromHeap(filter);
    const dst = heap.typedArrayFromHeap(out);
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const from = (i * fw + j) * a * b;
        const to = ((fh - 1 - i) * fw + (fw - 1 - j)) * a * b;
        if (!swapChannels) {
          dst.set(src.subarray(from, from + a * b), to);
          continue;
        }
        for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) dst[to + q * a + p] = src[from + p * b + q]!;
      }
    }
    return out;
  }
  depthwise(x: TensorInfo, filter: TensorInfo, pads: Pads, dilations: [number, number]): TensorInfo {
    return this.run('DepthwiseConv2dNative', { x, filter }, {
      strides: [1, 1],
      pad: pads,
      dilations,
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    } as unknown as Attrs);
  }
}

interface ConvGeometry {
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  bottom: number;
  right: number;
  outH: number;
  outW: number;
}

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    // tfjs' own gradients reject dilated convolutions with strides too; nothing in the project uses them.
    throw new Error('conv gradient kernels support dilation 1 only');
  }
  return {
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
    bottom: info.padInfo.bottom,
    right: info.padInfo.right,
    outH: info.outHeight,
    outW: info.outWidth,
  };
}

const noPads: Pads = [
  [0, 0],
  [0, 0],
  [0, 0],
  [0, 0],
];

/** xᵀ: the padded input with batch and channels swapped, [c, Hp, Wp, B]. */
function paddedTransposedInput(r: KernelRunner, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const padded =
    g.top + g.bottom + g.left + g.right > 0
      ? r.pad(x, [
          [0, 0],
          [g.top, g.bottom],
          [g.left, g.right],
          [0, 0],
        ])
      : x;
  return r.transpose(padded, [3, 1, 2, 0]);
}

/** dW of conv2d as one forward convolution with the gradient as the filter and dilation = stride. */
export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
  backendName: string;
}): TensorInfo {
  const { x, dy } = args.inputs;
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const [fh, fw, ci, co] = a.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const g = geometry(info);
  const r = new KernelRunner(args.backendName, args.backend);
  const xT = paddedTransposedInput(r, x, g);
  const dyT = r.transpose(dy, [1, 2, 0, 3]);
  const full = r.conv2d(xT, dyT, noPads, [g.sh, g.sw]);
  // Rows past the last window (padding the convolution never read) come out of the valid convolution too; drop them.
  const exact = full.shape[1] === fh && full.shape[2] === fw ? full : r.slice(full, [0, 0, 0, 0], [ci!, fh!, fw!, co!]);
  return r.finish(r.transpose(exact, [1, 2, 0, 3]));
}

/**
 * up_s(dy) padded so that a valid correlation with a (fh × fw) filter gives exactly the H × W input gradient.
 * Negative padding (possible with explicit pads larger than the filter) crops instead.
 */
function upsampledPaddedGradient(
  r: KernelRunner,
  dy: TensorInfo,
  g: ConvGeometry,
  inH: number,
  inW: number,
): TensorInfo {
  const [b, oh, ow, c] = dy.shape as [number, number, number, number];
  let up = dy;
  if (g.sh > 1 || g.sw > 1) {
    const spread = r.pad(r.reshape(dy, [b, oh, 1, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, g.sh - 1],
      [0, 0],
      [0, g.sw - 1],
      [0, 0],
    ]);
    up = r.reshape(spread, [b, oh * g.sh, ow * g.sw, c]);
  }
  const upH = oh * g.sh;
  const upW = ow * g.sw;
  const padTop = g.fh - 1 - g.top;
  const padLeft = g.fw - 1 - g.left;
  const padBottom = inH + g.fh - 1 - upH - padTop;
  const padRight = inW + g.fw - 1 - upW - padLeft;
  const cropTop = Math.max(0, -padTop);
  const cropLeft = Math.max(0, -padLeft);
  const cropBottom = Math.max(0, -padBottom);
  const cropRight = Math.max(0, -padRight);
  if (cropTop + cropLeft + cropBottom + cropRight > 0) {
    up = r.slice(up, [0, cropTop, cropLeft, 0], [b, upH - cropTop - cropBottom, upW - cropLeft - cropRight, c]);
  }
  return r.pad(up, [
    [0, 0],
    [Math.max(0, padTop), Math.max(0, padBottom)],
    [Math.max(0, padLeft), Math.max(0, padRight)],
    [0, 0],
  ]);
}

/** dX of conv2d as one forward convolution of the zero-upsampled gradient with the flipped, transposed filter. */
export function conv2dBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
  backendName: string;
}): TensorInfo {
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const g = geometry(info);
  const r = new KernelRunner(args.backendName, args.backend);
  const flipped = r.flipFilter(filter, true);
  const src = upsampledPaddedGradient(r, dy, g, a.inputShape[1], a.inputShape[2]);
  return r.finish(r.conv2d(src, flipped, noPads, [1, 1]));
}

/** dW of a depthwise convolution: (channel, image) pairs become the channels of one depthwise convolution. */
export function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
  backendName: string;
}): TensorInfo {
  const { x, dy } = args.inputs;
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const [fh, fw, ci, mult] = a.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const g = geometry(info);
  const r = new KernelRunner(args.backendName, args.backend);
  const b = x.shape[0]!;
  const xT = paddedTransposedInput(r, x, g); // [ci, Hp, Wp, B]
  const [, hp, wp] = xT.shape as [number, number, number, number];
  // One channel per (ci, m, b): the input repeats over m, the filter is dy's matching channel of image b.
  const xRep =
    mult === 1
      ? xT
      : r.run('Tile', { x: r.reshape(xT, [ci, 1, hp, wp, b]) }, { reps: [1, mult, 1, 1, 1] } as unknown as Attrs);
  const xCh = r.reshape(r.transpose(r.reshape(xRep, [ci * mult, hp, wp, b]), [1, 2, 0, 3]), [1, hp, wp, ci * mult * b]);
  const dyCh = r.reshape(r.transpose(dy, [1, 2, 3, 0]), [g.outH, g.outW, ci * mult * b, 1]);
  const full = r.depthwise(xCh, dyCh, noPads, [g.sh, g.sw]); // [1, ≥fh, ≥fw, ci·mult·b]
  const exact = r.slice(full, [0, 0, 0, 0], [1, fh, fw, ci * mult * b]);
  const summed = r.run('Sum', { x: r.reshape(exact, [fh, fw, ci, mult, b]) }, { axis: [4], keepDims: false });
  return r.finish(summed);
}

/** dX of a depthwise convolution: a depthwise convolution of the upsampled gradient, summed over the multiplier. */
export function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: tf.KernelBackend;
  attrs: Attrs;
  backendName: string;
}): TensorInfo {
  const { dy, filter } = args.inputs;
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const [fh, fw, ci, mult] = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const g = geometry(info);
  const r = new KernelRunner(args.backendName, args.backend);
  const flipped = r.reshape(r.flipFilter(filter, false), [fh, fw, ci * mult, 1]);
  const src = upsampledPaddedGradient(r, dy, g, a.inputShape[1], a.inputShape[2]);
  const perChannel = r.depthwise(src, flipped, noPads, [1, 1]); // [B, H, W, ci·mult]
  const [b, h, w] = a.inputShape;
  const summed =
    mult === 1
      ? perChannel
      : r.run('Sum', { x: r.reshape(perChannel, [b, h, w, ci, mult]) }, { axis: [4], keepDims: false });
  return r.finish(summed);
}

const KERNELS = {
  Conv2DBackpropFilter: conv2dBackpropFilter,
  Conv2DBackpropInput: conv2dBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
} as const;
export type ConvGradKernelName = keyof typeof KERNELS;
export const CONV_GRAD_KERNELS = Object.keys(KERNELS) as ConvGradKernelName[];

/**
 * Registers the forward-convolution gradient kernels on `backendName`, replacing the backend's own where present.
 * Idempotent. Returns the kernel names it (re)registered.
 */
export function registerConvGradKernels(
  backendName: string,
  names: readonly ConvGradKernelName[] = CONV_GRAD_KERNELS,
): ConvGradKernelName[] {
  for (const name of names) {
    if (tf.getKernel(name, backendName)) tf.unregisterKernel(name, backendName);
    const impl = KERNELS[name] as (args: {
      inputs: Record<string, TensorInfo>;
      backend: tf.KernelBackend;
      attrs: Attrs;
      backendName: string;
    }) => TensorInfo;
    tf.registerKernel({
      kernelName: name,
      backendName,
      // The registry types the backend as {}: it is the backend instance the kernel was registered for.
      kernelFunc: ({ inputs, backend, attrs }) =>
        impl({
          inputs: inputs as Record<string, TensorInfo>,
          backend: backend as tf.KernelBackend,
          attrs: attrs ?? {},
          backendName,
        }),
    });
  }
  return [...names];
}
