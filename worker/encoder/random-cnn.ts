/**
 * A tiny convolutional encoder with fixed random weights: a stand-in for a face-recognition network in tests and
 * benchmarks. It is a genuine IdentityEncoder (preprocessing, differentiable, unit-length output), so the loss and the
 * guided sampler exercise exactly the code paths a real encoder does; its "identities" are just directions in its
 * random feature space.
 */
import * as tf from '@tensorflow/tfjs';
import { normals, PURPOSE } from '../../random/index.ts';
import { l2Normalize, toEncoderInput } from './preprocess.ts';
import type { EncoderInfo, IdentityEncoder } from './types.ts';

export interface RandomCnnEncoderOptions {
  seed: number;
  inputSize?: number;
  embeddingSize?: number;
  /** Output channels of each stride-2 3×3 convolution. */
  channels?: number[];
  name?: string;
}

/** Encoders take the second key word 1 so their weights never coincide with a U-Net's (word 0). */
const ENCODER_STREAM = 1;

function weights(seed: number, layer: number, shape: number[], fanIn: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = normals({ seed, a: layer, b: ENCODER_STREAM, purpose: PURPOSE.weightInit }, n);
  const scale = Math.sqrt(1 / fanIn);
  for (let i = 0; i < n; i++) values[i]! *= scale;
  return tf.tensor(values, shape);
}

export function randomCnnEncoder(opts: RandomCnnEncoderOptions): IdentityEncoder {
  const channels = opts.channels ?? [8, 16];
  const info: EncoderInfo = {
    name: opts.name ?? `random-cnn-${opts.seed}`,
    inputSize: opts.inputSize ?? 16,
    embeddingSize: opts.embeddingSize ?? 32,
    channelOrder: 'RGB',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  };
  const convs: tf.Tensor4D[] = [];
  let ci = 3;
  channels.forEach((co, i) => {
    convs.push(weights(opts.seed, i, [3, 3, ci, co], 9 * ci) as tf.Tensor4D);
    ci = co;
  });
  const dense = weights(opts.seed, channels.length, [ci, info.embeddingSize], ci) as tf.Tensor2D;
  return {
    info,
    embed(images) {
      return tf.tidy(() => {
        let x: tf.Tensor4D = toEncoderInput(images, info);
        // tanh rather than ReLU keeps the encoder smooth, so finite-difference checks through it are meaningful.
        for (const w of convs) x = tf.tanh(tf.conv2d(x, w, 2, 'same'));
        const pooled = x.mean([1, 2]) as tf.Tensor2D;
        return l2Normalize(tf.matMul(pooled, dense));
      });
    },
    dispose() {
      tf.dispose([...convs, dense]);
    },
  };
}
