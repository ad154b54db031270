/**
 * Tiny, fixed-seed ID³ setups shared by the model's integration tests (and, through test/model/numeric, by the
 * webgpu child): a two-level U-Net on 8×8 or 16×16 images, a random CNN encoder, a fixed batch of smooth images whose
 * identities are the encoder's own embeddings of them (as on FFHQ, where y is the embedding of the training image).
 */
import * as tf from '@tensorflow/tfjs';
import { normals } from '../../random/index.ts';
import {
  createTrainState,
  type Denoiser,
  defaultDiffusionConfig,
  defaultTrainingConfig,
  makeSchedule,
  type NoiseSchedule,
  type TrainBatch,
  type TrainingConfig,
  type TrainState,
} from '../../worker/diffusion/index.ts';
import { type IdentityEncoder, randomCnnEncoder } from '../../worker/encoder/index.ts';
import { type ModelConfig, tinyConfig, UNet } from '../../worker/model/index.ts';

export interface TinySetup {
  config: ModelConfig;
  unet: UNet;
  encoder: IdentityEncoder;
  schedule: NoiseSchedule;
  training: TrainingConfig;
}

export function tinySetup(
  opts: { resolution?: number; timesteps?: number; training?: Partial<TrainingConfig> } = {},
): TinySetup {
  const resolution = opts.resolution ?? 8;
  const config = tinyConfig(resolution, 8);
  return {
    config,
    unet: new UNet(config),
    encoder: randomCnnEncoder({ seed: 5, inputSize: resolution, embeddingSize: 8, channels: [8, 8] }),
    schedule: makeSchedule({ ...defaultDiffusionConfig(), timesteps: opts.timesteps ?? 1000 }),
    training: { ...defaultTrainingConfig(), learningRate: 2e-3, emaDecay: 0.9, seed: 3, ...opts.training },
  };
}

/** Smooth random images in [−1, 1] (a blurred field through tanh), their embeddings as y, zero attributes. */
export function fixedBatch(s: TinySetup, size: number, seed = 9): TrainBatch {
  return tf.tidy(() => {
    const r = s.config.unet.resolution;
    const noise = tf.tensor4d(normals({ seed, a: 0, b: 0, purpose: 0 }, size * r * r * 3), [size, r, r, 3]);
    const x0 = tf.tanh(tf.avgPool(noise, 3, 1, 'same').mul(2)) as tf.Tensor4D;
    return {
      x0,
      y: s.encoder.embed(x0),
      sNorm: tf.zeros([size, s.config.conditioning.attributes.length]) as tf.Tensor2D,
    };
  });
}

/** A fresh training state; `dense` starts every layer non-zero (no DDPM zero init) so all gradients are live at once. */
export function freshState(s: TinySetup, dense = false): TrainState {
  return createTrainState(s.unet, { seed: 1, zeroResidualOutputs: !dense });
}

/** Rows [y ; s_norm] and y as the sampler takes them. */
export async function samplerInputs(batch: TrainBatch): Promise<{ cond: Float32Array; y: Float32Array }> {
  const cond = tf.concat([batch.y, batch.sNorm], 1);
  const out = { cond: (await cond.data()) as Float32Array, y: (await batch.y.data()) as Float32Array };
  cond.dispose();
  return out;
}

/**
 * The exact ε-predictor for data x₀ ~ N(μ, σ²·I): E[ε | x_t] = √(1 − ᾱ)·(x_t − √ᾱ·μ) / (ᾱσ² + 1 − ᾱ). A denoiser
 * whose samples have a known distribution, to test samplers apart from any training.
 */
export function gaussianDenoiser(schedule: NoiseSchedule, side: number, mu: number, sigma: number): Denoiser {
  const alphaBar = Float32Array.from(schedule.alphaBar);
  return {
    imageShape: [side, side, 3],
    eps: (x, t) =>
      tf.tidy(() => {
        // Per-row ᾱ_t by gather (no data read, so it runs unchanged on asynchronous backends such as webgpu).
        const ab = tf.gather(tf.tensor1d(alphaBar), t.round().toInt()).reshape([-1, 1, 1, 1]);
        const scale = tf.sqrt(tf.sub(1, ab)).div(ab.mul(sigma * sigma).add(tf.sub(1, ab)));
        return x.sub(ab.sqrt().mul(mu)).mul(scale) as tf.Tensor4D;
      }),
  };
}
