/**
 * The U-Net's building blocks. Each block declares its parameters in its constructor and computes in `apply(P, …)`,
 * reading them by name from a Params record, so one definition serves initialisation, training and loading.
 * Tensors are NHWC. Blocks allocate freely: callers run them inside tf.tidy or a gradient function.
 *
 * Notation: C channels, N = H·W tokens, L context tokens, h heads, d = C/h.
 */
import * as tf from '@tensorflow/tfjs';
import { groupNorm } from './group-norm.ts';
import type { ParamRegistry, Params } from './params.ts';

/** Per-forward knobs. */
export interface ForwardOptions {
  /** A seed per residual block (its index in the network): dropout is on only when given (training). */
  dropoutSeed?: (block: number) => number;
  /**
   * Only the gradient with respect to the input will be taken (identity guidance). Fused convolutions and products
   * compute their weights' gradients eagerly with their input's, so this switches to unfused ones, halving the
   * backward pass.
   */
  inputGradientOnly?: boolean;
}

export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

function get(P: Params, name: string): tf.Tensor {
  const t = P[name];
  if (!t) throw new Error(`missing parameter ${name}`);
  return t;
}

export class Conv2d {
  private readonly w: string;
  private readonly b: string;
  constructor(
    reg: ParamRegistry,
    name: string,
    ci: number,
    co: number,
    private readonly k = 3,
    private readonly stride = 1,
    scale = 1,
  ) {
    this.w = reg.add(`${name}.w`, [k, k, ci, co], {
      kind: 'fanAvgUniform',
      fanIn: k * k * ci,
      fanOut: k * k * co,
      scale,
    });
    this.b = reg.add(`${name}.b`, [co], { kind: 'zeros' });
  }

  apply(P: Params, x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor4D {
    // Symmetric explicit padding (PyTorch's padding=k//2), so stride 2 halves even sides the same way PyTorch does.
    const p = Math.floor(this.k / 2);
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
    const filter = get(P, this.w) as tf.Tensor4D;
    const padding = this.k === 1 ? 'valid' : pad;
    if (opts.inputGradientOnly) return tf.conv2d(x, filter, this.stride, padding).add(get(P, this.b));
    return tf.fused.conv2d({ x, filter, bias: get(P, this.b), strides: this.stride, pad: padding });
  }
}

export class Dense {
  private readonly w: string;
  private readonly b: string;
  constructor(reg: ParamRegistry, name: string, ci: number, co: number, scale = 1) {
    this.w = reg.add(`${name}.w`, [ci, co], { kind: 'fanAvgUniform', fanIn: ci, fanOut: co, scale });
    this.b = reg.add(`${name}.b`, [co], { kind: 'zeros' });
  }

  /** x: [B, ci] or [B, N, ci]. */
  apply<T extends tf.Tensor2D | tf.Tensor3D>(P: Params, x: T, opts: ForwardOptions = {}): T {
    const w = get(P, this.w) as tf.Tensor2D;
    const bias = get(P, this.b);
    const co = w.shape[1];
    const ci = x.shape.at(-1)!;
    const rows = x.rank === 2 ? x.shape[0]! : x.shape[0]! * x.shape[1]!;
    const a = x.reshape([rows, ci]) as tf.Tensor2D;
    const flat = opts.inputGradientOnly ? tf.matMul(a, w).add(bias) : tf.fused.matMul({ a, b: w, bias });
    return (x.rank === 2 ? flat : flat.reshape([x.shape[0]!, x.shape[1]!, co])) as T;
  }
}

export class GroupNorm {
  private readonly gamma: string;
  private readonly beta: string;
  constructor(
    reg: ParamRegistry,
    name: string,
    channels: number,
    private readonly groups: number,
    private readonly epsilon = 1e-5,
  ) {
    this.gamma = reg.add(`${name}.gamma`, [channels], { kind: 'ones' });
    this.beta = reg.add(`${name}.beta`, [channels], { kind: 'zeros' });
  }

  /** GroupNorm, then SiLU when `silu` (one op with a hand-written gradient: group-norm.ts). */
  apply(P: Params, x: tf.Tensor4D, silu = false): tf.Tensor4D {
    const gamma = get(P, this.gamma) as tf.Tensor1D;
    const beta = get(P, this.beta) as tf.Tensor1D;
    return groupNorm(x, gamma, beta, { groups: this.groups, epsilon: this.epsilon, silu });
  }
}

/** DDPM's residual block: GN → SiLU → conv, + Dense(SiLU(temb)), GN → SiLU → dropout → conv (zero-init), + skip. */
export class ResBlock {
  private readonly norm1: GroupNorm;
  private readonly conv1: Conv2d;
  private readonly temb: Dense;
  private readonly norm2: GroupNorm;
  private readonly conv2: Conv2d;
  private readonly skip?: Conv2d;
  constructor(
    reg: ParamRegistry,
    name: string,
    ci: number,
    readonly co: number,
    tembSize: number,
    groups: number,
    private readonly dropout: number,
    private readonly index: number,
  ) {
    this.norm1 = new GroupNorm(reg, `${name}.norm1`, ci, groups);
    this.conv1 = new Conv2d(reg, `${name}.conv1`, ci, co);
    this.temb = new Dense(reg, `${name}.temb`, tembSize, co);
    this.norm2 = new GroupNorm(reg, `${name}.norm2`, co, groups);
    this.conv2 = new Conv2d(reg, `${name}.conv2`, co, co, 3, 1, 0);
    if (ci !== co) this.skip = new Conv2d(reg, `${name}.skip`, ci, co, 1);
  }

  /** tembAct = SiLU(temb), shared by every block. */
  apply(P: Params, x: tf.Tensor4D, tembAct: tf.Tensor2D, opts: ForwardOptions): tf.Tensor4D {
    let h = this.conv1.apply(P, this.norm1.apply(P, x, true), opts);
    const [b] = h.shape;
    h = h.add(this.temb.apply(P, tembAct, opts).reshape([b, 1, 1, this.co]));
    h = this.norm2.apply(P, h, true);
    if (opts.dropoutSeed && this.dropout > 0) {
      h = tf.dropout(h, this.dropout, undefined, opts.dropoutSeed(this.index)) as tf.Tensor4D;
    }
    h = this.conv2.apply(P, h, opts);
    const skip = this.skip ? this.skip.apply(P, x, opts) : x;
    return skip.add(h);
  }
}

/** Multi-head attention of queries [B, N, C] over keys/values [B, L, C] (already projected). */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [b, n, c] = q.shape;
  const l = k.shape[1];
  const d = c / heads;
  const split = (t: tf.Tensor3D, len: number) =>
    t
      .reshape([b, len, heads, d])
      .transpose([0, 2, 1, 3])
      .reshape([b * heads, len, d]) as tf.Tensor3D;
  const scores = tf.matMul(split(q, n), split(k, l), false, true).mul(1 / Math.sqrt(d));
  const out = tf.matMul(tf.softmax(scores), split(v, l)); // [B·h, N, d]
  return out.reshape([b, heads, n, d]).transpose([0, 2, 1, 3]).reshape([b, n, c]) as tf.Tensor3D;
}

/**
 * Self-attention over the feature map, then cross-attention to the condition tokens c (ID³ feeds one token, the
 * projection module's output). Each half is pre-normalised and residual, with a zero-initialised output projection.
 */
export class AttentionBlock {
  private readonly norm: GroupNorm;
  private readonly qkv: Dense;
  private readonly proj: Dense;
  private readonly crossNorm: GroupNorm;
  private readonly crossQ: Dense;
  private readonly crossK: Dense;
  private readonly crossV: Dense;
  private readonly crossProj: Dense;
  constructor(
    reg: ParamRegistry,
    name: string,
    channels: number,
    contextSize: number,
    private readonly heads: number,
    groups: number,
  ) {
    this.norm = new GroupNorm(reg, `${name}.norm`, channels, groups);
    this.qkv = new Dense(reg, `${name}.qkv`, channels, 3 * channels);
    this.proj = new Dense(reg, `${name}.proj`, channels, channels, 0);
    this.crossNorm = new GroupNorm(reg, `${name}.crossNorm`, channels, groups);
    this.crossQ = new Dense(reg, `${name}.crossQ`, channels, channels);
    this.crossK = new Dense(reg, `${name}.crossK`, contextSize, channels);
    this.crossV = new Dense(reg, `${name}.crossV`, contextSize, channels);
    this.crossProj = new Dense(reg, `${name}.crossProj`, channels, channels, 0);
  }

  /** context: [B, L, contextSize]. */
  apply(P: Params, x: tf.Tensor4D, context: tf.Tensor3D, opts: ForwardOptions = {}): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    const n = h * w;
    const tokens = (t: tf.Tensor4D) => t.reshape([b, n, c]) as tf.Tensor3D;
    // slice (not split): tf.split inside tf.grad failed on this stack once; slice + reshape is reliable.
    const qkv = this.qkv.apply(P, tokens(this.norm.apply(P, x)), opts);
    const q = qkv.slice([0, 0, 0], [b, n, c]);
    const k = qkv.slice([0, 0, c], [b, n, c]);
    const v = qkv.slice([0, 0, 2 * c], [b, n, c]);
    const self = this.proj.apply(P, multiHeadAttention(q, k, v, this.heads), opts);
    const x1 = x.add(self.reshape([b, h, w, c])) as tf.Tensor4D;
    const cq = this.crossQ.apply(P, tokens(this.crossNorm.apply(P, x1)), opts);
    const ck = this.crossK.apply(P, context, opts);
    const cv = this.crossV.apply(P, context, opts);
    const cross = multiHeadAttention(cq, ck, cv, this.heads);
    return x1.add(this.crossProj.apply(P, cross, opts).reshape([b, h, w, c])) as tf.Tensor4D;
  }
}

/** Stride-2 3×3 convolution. */
export class Downsample {
  private readonly conv: Conv2d;
  constructor(reg: ParamRegistry, name: string, channels: number) {
    this.conv = new Conv2d(reg, `${name}.conv`, channels, channels, 3, 2);
  }
  apply(P: Params, x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor4D {
    return this.conv.apply(P, x, opts);
  }
}

/** Nearest-neighbour ×2 (a broadcast, whose gradient is a plain sum on every backend), then a 3×3 convolution. */
export class Upsample {
  private readonly conv: Conv2d;
  constructor(reg: ParamRegistry, name: string, channels: number) {
    this.conv = new Conv2d(reg, `${name}.conv`, channels, channels);
  }
  apply(P: Params, x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor4D {
    const [b, h, w, c] = x.shape;
    const up = x
      .reshape([b, h, 1, w, 1, c])
      .mul(tf.ones([1, 1, 2, 1, 2, 1]))
      .reshape([b, 2 * h, 2 * w, c]) as tf.Tensor4D;
    return this.conv.apply(P, up, opts);
  }
}
