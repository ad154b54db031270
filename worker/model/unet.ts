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

type Stage =
  | { kind: 'res'; block: ResBlock }
  | { kind: 'attn'; block: AttentionBlock }
  | { kind: 'down'; block: Downsample }
  | { kind: 'up'; block: Upsample }
  /** Marks the output of the previous stage as a skip connection (down path) or consumes one (up path). */
  | { kind: 'push' }
  | { kind: 'pop' };

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
  private readonly stages: Stage[] = [];
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
        block: new ResBlock(reg, name, ci, co, temb, u.groupNormGroups, u.dropout, this.blockCount++),
      });
    const attn = (name: string, ch: number) =>
      this.stages.push({
        kind: 'attn',
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
        this.stages.push({ kind: 'down', block: new Downsample(reg, `down.${level}.downsample`, ch) });
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
      if (level > 0) this.stages.push({ kind: 'up', block: new Upsample(reg, `up.${level}.upsample`, ch) });
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

  /** ε_θ(x_t, t, c): [B, H, W, 3]. Allocates intermediates: call inside tf.tidy or a gradient function. */
  apply(P: Params, inputs: UNetInputs, opts: ForwardOptions = {}): tf.Tensor4D {
    const u = this.config.unet;
    const c = this.condition(P, inputs.cond, opts);
    const t0 = this.timeIn.apply(P, timestepEmbedding(inputs.t, u.channels), opts);
    const temb0 = this.timeOut.apply(P, silu(t0), opts);
    const tembAct = silu(temb0.add(this.condToTime.apply(P, c, opts)) as tf.Tensor2D);
    const context = c.expandDims(1) as tf.Tensor3D;
    let h = this.inConv.apply(P, inputs.x, opts);
    const skips: tf.Tensor4D[] = [h];
    for (const stage of this.stages) {
      if (stage.kind === 'push') {
        skips.push(h);
        continue;
      }
      const input = h;
      // One scope per block: its temporaries are released as soon as it returns (a forward pass holds a few feature
      // maps instead of every intermediate; under a gradient the tape keeps what backprop needs on its own).
      h = tf.tidy(() => {
        switch (stage.kind) {
          case 'res':
            return stage.block.apply(P, input, tembAct, opts);
          case 'attn':
            return stage.block.apply(P, input, context, opts);
          case 'down':
          case 'up':
            return stage.block.apply(P, input, opts);
          case 'pop':
            return tf.concat([input, skips.pop()!], 3);
        }
      });
    }
    return this.outConv.apply(P, this.outNorm.apply(P, h, true), opts);
  }
}
