/**
 * ArcFace's additive angular margin loss (Deng et al., CVPR 2019): logits s·cos(θ_j) for every class, with the target
 * class's angle widened to θ_y + m, so embeddings of one identity must cluster within a margin of their class centre.
 */
import * as tf from '@tensorflow/tfjs';

export interface ArcFaceConfig {
  /** Scale s of the cosine logits. */
  scale: number;
  /** Additive angular margin m, in radians. */
  margin: number;
}

/** s = 32 and m = 0.35: ArcFace's m = 0.5 trains slowly from scratch on a small identity set. */
export const defaultArcFaceConfig: ArcFaceConfig = { scale: 32, margin: 0.35 };

/**
 * Mean cross-entropy of the margin logits. `embeddings` [B, D] (any length), `centres` [D, C] (any length; columns
 * are normalised here), `labels` [B] int32 class indices.
 */
export function arcFaceLoss(
  embeddings: tf.Tensor2D,
  centres: tf.Tensor2D,
  labels: tf.Tensor1D,
  config: ArcFaceConfig = defaultArcFaceConfig,
): tf.Scalar {
  return tf.tidy(() => {
    const logits = arcFaceLogits(embeddings, centres, labels, config);
    const classes = centres.shape[1];
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
  });
}

export function arcFaceLogits(
  embeddings: tf.Tensor2D,
  centres: tf.Tensor2D,
  labels: tf.Tensor1D,
  { scale, margin }: ArcFaceConfig,
): tf.Tensor2D {
  return tf.tidy(() => {
    const e = unitRows(embeddings);
    const w = unitRows(centres.transpose()).transpose();
    const cos = tf.matMul(e, w).clipByValue(-1 + 1e-6, 1 - 1e-6);
    const mask = tf.oneHot(labels, centres.shape[1]).cast('float32');
    // cos(θ + m), with θ + m capped at π where the margin would wrap around (boolean masks have no gradient in
    // tfjs, so the cap is a minimum on the angle rather than a select).
    const target = tf.cos(tf.minimum(tf.acos(cos), Math.PI - margin).add(margin));
    return tf.add(cos.mul(tf.sub(1, mask)), target.mul(mask)).mul(scale) as tf.Tensor2D;
  });
}

function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return x.div(x.square().sum(1, true).add(1e-12).sqrt());
}
