/**
 * Applying an encoder's input convention to diffusion-range images, differentiably on every backend:
 *   resize to inputSize → [−1, 1] to [0, 1] → channel order → (x − mean) / std.
 *
 * Resizing is a pair of matrix products with fixed interpolation matrices (R_h·X·R_wᵀ per image and channel) rather
 * than tf.image.resizeBilinear, whose gradient kernels ignore halfPixelCenters on every backend and so disagree with
 * the forward pass. Upsampling is bilinear with half-pixel centres (PyTorch's align_corners=False, OpenCV's
 * INTER_LINEAR); downsampling widens the triangle filter by the scale (antialiased, as PIL and torch's antialias=True),
 * so small faces are not aliased before a face-recognition network sees them.
 */
import * as tf from '@tensorflow/tfjs';
import type { EncoderInput } from './types.ts';

/** The [outSize × inSize] row-stochastic matrix of a 1-D resize. */
export function resizeMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  const support = Math.max(1, scale); // triangle half-width in input pixels
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    if (scale <= 1) {
      const src = Math.min(Math.max(centre, 0), inSize - 1);
      const i0 = Math.floor(src);
      const i1 = Math.min(i0 + 1, inSize - 1);
      const frac = src - i0;
      m[o * inSize + i0]! += 1 - frac;
      m[o * inSize + i1]! += frac;
      continue;
    }
    let total = 0;
    const lo = Math.max(0, Math.ceil(centre - support));
    const hi = Math.min(inSize - 1, Math.floor(centre + support));
    for (let i = lo; i <= hi; i++) {
      const w = Math.max(0, 1 - Math.abs(i - centre) / support);
      m[o * inSize + i] = w;
      total += w;
    }
    for (let i = lo; i <= hi; i++) m[o * inSize + i]! /= total;
  }
  return m;
}

/** Resizes NHWC images to size × size with resizeMatrix along each axis. Differentiable. */
export function resizeImages(images: tf.Tensor4D, size: number): tf.Tensor4D {
  const [b, h, w, c] = images.shape;
  if (h === size && w === size) return images.clone();
  return tf.tidy(() => {
    const rh = tf.tensor2d(resizeMatrix(h, size), [size, h]);
    const rw = tf.tensor2d(resizeMatrix(w, size), [size, w]);
    // Height: [H, B·W·C] rows, then width on [W, size·B·C].
    const byRow = tf.transpose(images, [1, 0, 2, 3]).reshape([h, b * w * c]);
    const tall = tf.matMul(rh, byRow).reshape([size, b, w, c]);
    const byCol = tf.transpose(tall, [2, 0, 1, 3]).reshape([w, size * b * c]);
    const wide = tf.matMul(rw, byCol).reshape([size, size, b, c]);
    return tf.transpose(wide, [2, 1, 0, 3]) as tf.Tensor4D;
  });
}

/** Diffusion-range RGB images in [−1, 1] → the encoder's input tensor. Differentiable. */
export function toEncoderInput(images: tf.Tensor4D, input: EncoderInput): tf.Tensor4D {
  return tf.tidy(() => {
    let x = resizeImages(images, input.inputSize);
    x = x.add(1).mul(0.5);
    if (input.channelOrder === 'BGR') x = tf.reverse(x, 3);
    const mean = tf.tensor1d(input.mean);
    const std = tf.tensor1d(input.std);
    return x.sub(mean).div(std) as tf.Tensor4D;
  });
}

/** Rows scaled to unit length (ε keeps the gradient finite at 0). */
export function l2Normalize(x: tf.Tensor2D, epsilon = 1e-12): tf.Tensor2D {
  return tf.tidy(() => x.div(x.square().sum(1, true).add(epsilon).sqrt()) as tf.Tensor2D);
}
