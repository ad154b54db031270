/**
 * The identity encoder f of the method: a frozen face-recognition network that maps a face image to an L2-normalised
 * embedding. The ID³ loss and the identity-guided sampler call it on x̂₀ and differentiate through it, so an encoder
 * must be written in TensorFlow.js ops (no data() calls, no ops without gradients) and must never update its weights.
 */
import type * as tf from '@tensorflow/tfjs';
import type { IdentityEncoderSpec } from '../../api/index.ts';

/** How an encoder wants its input: the parts of IdentityEncoderSpec that describe applying it (api/generated). */
export type EncoderInput = Pick<IdentityEncoderSpec, 'inputSize' | 'channelOrder' | 'mean' | 'std'>;

/** What a checkpoint or a dataset card records about the encoder that conditioned or guided it. */
export interface EncoderInfo extends EncoderInput {
  name: string;
  embeddingSize: number;
}

export interface IdentityEncoder {
  readonly info: EncoderInfo;
  /**
   * Embeds a batch of images given in the diffusion range: [B, H, W, 3] RGB in [−1, 1], any square size (resizing to
   * info.inputSize, channel order and mean/std are the encoder's business). Returns [B, embeddingSize], each row of
   * unit length. Differentiable with respect to `images`; allocates only what it returns (call inside tf.tidy).
   */
  embed(images: tf.Tensor4D): tf.Tensor2D;
  /** Releases the weights. */
  dispose(): void;
}
