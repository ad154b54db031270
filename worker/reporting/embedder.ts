import * as tf from '@tensorflow/tfjs';
import type { IdentityEncoder } from '../encoder/index.ts';
import type { Embedder } from '../quality/index.ts';

/** An identity encoder as the quality report's Embedder (images in [−1, 1], NHWC, flat). */
export function embedderOf(encoder: IdentityEncoder, name: string): Embedder {
  return {
    name,
    embeddingSize: encoder.info.embeddingSize,
    embed: (pixels, n, size) =>
      tf.tidy(() => encoder.embed(tf.tensor4d(pixels, [n, size, size, 3])).dataSync() as Float32Array).slice(),
  };
}
