/**
 * Blocked similarity search: for every row of a query set, the largest cosine to a row of a reference set (optionally
 * skipping one reference per query, e.g. its own identity). Matrix products run through TensorFlow.js in blocks, so
 * tens of thousands of images against thousands of centroids never form one large matrix.
 */
import * as tf from '@tensorflow/tfjs';
import type { Embeddings } from './vectors.ts';

export interface NearestResult {
  /** Largest cosine per query row. */
  value: Float32Array;
  /** Index of the reference row that achieved it (−1 when there was none). */
  index: Int32Array;
}

/**
 * Both sets must hold unit rows. `skip[q]` names a reference row that query q may not match (−1 or absent for none).
 */
export function nearest(queries: Embeddings, refs: Embeddings, skip?: ArrayLike<number>, block = 2048): NearestResult {
  const value = new Float32Array(queries.n).fill(-Infinity);
  const index = new Int32Array(queries.n).fill(-1);
  for (let q0 = 0; q0 < queries.n; q0 += block) {
    const qn = Math.min(block, queries.n - q0);
    for (let r0 = 0; r0 < refs.n; r0 += block) {
      const rn = Math.min(block, refs.n - r0);
      const sims = tf.tidy(() => {
        const a = tf.tensor2d(queries.data.subarray(q0 * queries.d, (q0 + qn) * queries.d), [qn, queries.d]);
        const b = tf.tensor2d(refs.data.subarray(r0 * refs.d, (r0 + rn) * refs.d), [rn, refs.d]);
        return tf.matMul(a, b, false, true).dataSync() as Float32Array;
      });
      for (let i = 0; i < qn; i++) {
        const banned = skip ? skip[q0 + i]! - r0 : -1;
        for (let j = 0; j < rn; j++) {
          const s = sims[i * rn + j]!;
          if (j !== banned && s > value[q0 + i]!) {
            value[q0 + i] = s;
            index[q0 + i] = r0 + j;
          }
        }
      }
    }
  }
  return { value, index };
}
