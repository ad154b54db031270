/**
 * ε_θ(x_t, t, c): the DDPM U-Net (Ho et al. 2020) conditioned as ID³ describes.
 *
 *   c    = MLP([y ; s_norm])                        the projection module: Dense → ReLU → … → Dense (512, 256, 768)
 *   temb = Dense(SiLU(Dense(sinusoid(t)))) + Dense(c)   every residual block sees the condition through temb
 *   attention blocks cross-attend to c as a single context token
 *
 * Notation: x_t [B, H, W, 3] noisy images, t [B] timesteps (1…T, float), cond [B, |y| + |s|] = [y ; s_norm].
 * The network knows nothing of schedules; it predicts ε.
 */
import * as tf from '@tensorflow/tfjs';
import { contextSize, levelResolutions, type ModelConfig, timeEmbeddingSize, validateModelConfig } from './config.ts';
import {
  AttentionBlock,
  Conv2d,
  Dense,
  Downsample,
  type ForwardOptions,
  GroupNorm,
  ResBlock,
  silu,
  Upsample,
} from './layers.ts';
import { ParamRegistry, type ParamSpec, type Params } from './params.ts';

/** Sinusoidal embedding of (possibly fractional) timesteps, [B] → [B, dim] (Transformer / DDPM). */
export function timestepEmbedding(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = Math.floor(dim / 2);
    const freqs = new Float32Array(half);
    for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / half);
    const args = t.reshape([-1, 1]).mul(tf.tensor2d(freqs, [1, half]));
    const emb = tf.concat([tf.sin(args), tf.cos(args)], 1);
    return (
      dim % 2 === 1
        ? tf.pad(emb, [
            [0, 0],
            [0, 1],
          ])
        : emb
    ) as tf.Tensor2D;
  });
}

/** One step of the path from the input convolution to the output: a block (named as its parameters are), or a skip
 * connection being stored (push: the current feature map) or joined (pop: concatenated onto the current one). */
export type Stage =
  | { kind: 'res'; name: string; block: ResBlock }
  | { kind: 'attn'; name: string; block: AttentionBlock }
  | { kind: 'down'; name: string; block: Downsample }
  | { kind: 'up'; name: string; block: Upsample }
  | { kind: 'push' }
  | { kind: 'pop' };

/** What every block sees besides its input: SiLU(temb) and the condition tokens. (A type, not an interface, so that
 * tf.tidy can return it.) */
export type Conditioning = {
  tembAct: tf.Tensor2D;
  context: tf.Tensor3D;
};

export interface UNetInputs {
  x: tf.Tensor4D;
  t: tf.Tensor1D;
  cond: tf.Tensor2D;
}

export class UNet {
  readonly specs: readonly ParamSpec[];
  private readonly timeIn: Dense;
  private readonly timeOut: Dense;
  private readonly condLayers: Dense[];
  private readonly condToTime: Dense;
  private readonly inConv: Conv2d;
  readonly stages: Stage[] = [];
  private readonly outNorm: GroupNorm;
  private readonly outConv: Conv2d;
  private blockCount = 0;

  constructor(readonly config: ModelConfig) {
    validateModelConfig(config);
    const u = config.unet;
    const cond = config.conditioning;
    const reg = new ParamRegistry();
    const temb = timeEmbeddingSize(u);
    this.timeIn = new Dense(reg, 'time.dense0', u.channels, temb);
    this.timeOut = new Dense(reg, 'time.dense1', temb, temb);
    const condIn = cond.embeddingSize + cond.attributes.length;
    this.condLayers = cond.hiddenSizes.map(
      (size, i) => new Dense(reg, `cond.mlp${i}`, i === 0 ? condIn : cond.hiddenSizes[i - 1]!, size),
    );
    this.condToTime = new Dense(reg, 'cond.toTime', contextSize(cond), temb);
    this.inConv = new Conv2d(reg, 'in.conv', u.imageChannels, u.channels);
    const lastCh = this.buildPath(reg, temb, contextSize(cond));
    this.outNorm = new GroupNorm(reg, 'out.norm', lastCh, u.groupNormGroups);
    this.outConv = new Conv2d(reg, 'out.conv', lastCh, u.imageChannels, 3, 1, 0);
    this.specs = reg.specs;
  }

  /** Declares down path, middle and up path as a flat list of stages; returns the channels entering the output. */
  private buildPath(reg: ParamRegistry, temb: number, ctx: number): number {
    const u = this.config.unet;
    const sides = levelResolutions(u);
    const res = (name: string, ci: number, co: number) =>
      this.stages.push({
        kind: 'res',
        name,
        block: new ResBlock(reg, name, ci, co, temb, u.groupNormGroups, u.dropout, this.blockCount++),
      });
    const attn = (name: string, ch: number) =>
      this.stages.push({
        kind: 'attn',
        name,
        block: new AttentionBlock(reg, name, ch, ctx, u.attentionHeads, u.groupNormGroups),
      });
    const skips: number[] = [u.channels];
    let ch = u.channels;
    u.channelMultipliers.forEach((mult, level) => {
      for (let r = 0; r < u.resBlocks; r++) {
        res(`down.${level}.res${r}`, ch, u.channels * mult);
        ch = u.channels * mult;
        if (u.attentionResolutions.includes(sides[level]!)) attn(`down.${level}.attn${r}`, ch);
        this.stages.push({ kind: 'push' });
        skips.push(ch);
      }
      if (level < u.channelMultipliers.length - 1) {
        const name = `down.${level}.downsample`;
        this.stages.push({ kind: 'down', name, block: new Downsample(reg, name, ch) });
        this.stages.push({ kind: 'push' });
        skips.push(ch);
      }
    });
    res('mid.res0', ch, ch);
    attn('mid.attn', ch);
    res('mid.res1', ch, ch);
    for (let level = u.channelMultipliers.length - 1; level >= 0; level--) {
      const mult = u.channelMultipliers[level]!;
      for (let r = 0; r <= u.resBlocks; r++) {
        this.stages.push({ kind: 'pop' });
        res(`up.${level}.res${r}`, ch + skips.pop()!, u.channels * mult);
        ch = u.channels * mult;
        if (u.attentionResolutions.includes(sides[level]!)) attn(`up.${level}.attn${r}`, ch);
      }
      if (level > 0) {
        const name = `up.${level}.upsample`;
        this.stages.push({ kind: 'up', name, block: new Upsample(reg, name, ch) });
      }
    }
    return ch;
  }

  /** c = MLP([y ; s_norm]), [B, contextSize]. */
  condition(P: Params, cond: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
    let h = cond;
    this.condLayers.forEach((layer, i) => {
      h = layer.apply(P, h, opts);
      if (i < this.condLayers.length - 1) h = tf.relu(h);
    });
    return h;
  }

  /** The conditioning every block sees: SiLU(temb + Dense(c)) and c as one context token. */
  head(P: Params, t: tf.Tensor1D, cond: tf.Tensor2D, opts: ForwardOptions = {}): Conditioning {
    const c = this.condition(P, cond, opts);
    const t0 = this.timeIn.apply(P, timestepEmbedding(t, this.config.unet.channels), opts);
    const temb0 = this.timeOut.apply(P, silu(t0), opts);
    const tembAct = silu(temb0.add(this.condToTime.apply(P, c, opts)) as tf.Tensor2D);
    return { tembAct, context: c.expandDims(1) as tf.Tensor3D };
  }

  /** The input convolution. */
  input(P: Params, x: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor4D {
    return this.inConv.apply(P, x, opts);
  }

  /** One block stage (not push/pop): its output feature map. */
  block(P: Params, stage: Stage, h: tf.Tensor4D, c: Conditioning, opts: ForwardOptions = {}): tf.Tensor4D {
    switch (stage.kind) {
      case 'res':
        return stage.block.apply(P, h, c.tembAct, opts);
      case 'attn':
        return stage.block.apply(P, h, c.context, opts);
      case 'down':
      case 'up':
        return stage.block.apply(P, h, opts);
      default:
        throw new Error(`stage ${stage.kind} is not a block`);
    }
  }

  /** GroupNorm + SiLU + the output convolution: ε. */
  output(P: Params, h: tf.Tensor4D, opts: ForwardOptions = {}): tf.Tensor4D {
    return this.outConv.apply(P, this.outNorm.apply(P, h, true), opts);
  }

  /** ε_θ(x_t, t, c): [B, H, W, 3]. Allocates intermediates: call inside tf.tidy or a gradient function. */
  apply(P: Params, inputs: UNetInputs, opts: ForwardOptions = {}): tf.Tensor4D {
    const c = this.head(P, inputs.t, inputs.cond, opts);
    let h = this.input(P, inputs.x, opts);
    const skips: tf.Tensor4D[] = [h];
    for (const stage of this.stages) {
      if (stage.kind === 'push') {
        skips.push(h);
        continue;
      }
      const input = h;
      // One scope per block: its temporaries are released as soon as it returns (a forward pass holds a few feature
      // maps instead of every intermediate; under a gradient the tape keeps what backprop needs on its own).
      h = tf.tidy(() =>
        stage.kind === 'pop'
          ? (tf.concat([input, skips.pop()!], 3) as tf.Tensor4D)
          : this.block(P, stage, input, c, opts),
      );
    }
    return this.output(P, h, opts);
  }
}
