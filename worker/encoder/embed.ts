import * as tf from '@tensorflow/tfjs';
import type { Embedder } from '../quality/index.ts';
import type { IdentityEncoder } from './types.ts';

/** Embeds images [n, size, size, 3] in [−1, 1] in batches; returns [n × d] unit rows. */
export function embedPixels(encoder: IdentityEncoder, pixels: Float32Array, size: number, batch = 256): Float32Array {
  const plane = size * size * 3;
  const n = pixels.length / plane;
  const d = encoder.info.embeddingSize;
  const out = new Float32Array(n * d);
  for (let at = 0; at < n; at += batch) {
    const m = Math.min(batch, n - at);
    const rows = tf.tidy(() =>
      encoder.embed(tf.tensor4d(pixels.subarray(at * plane, (at + m) * plane), [m, size, size, 3])).dataSync(),
    );
    out.set(rows, at * d);
  }
  return out;
}

/** The quality report's view of an encoder. */
export function encoderEmbedder(encoder: IdentityEncoder): Embedder {
  return {
    name: encoder.info.name,
    embeddingSize: encoder.info.embeddingSize,
    embed: (pixels, n, size) => embedPixels(encoder, pixels.subarray(0, n * size * size * 3), size),
  };
}
