/**
 * One-call wiring for the workers: an ID3TrainingJob spec (admitted) and an encoder → everything trainStep needs; a
 * stored checkpoint and an encoder → everything the sampler needs. Every hyper-parameter comes from the spec or the
 * checkpoint, never from a default here.
 */
import type { ID3TrainingJobSpec } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import type { IdentityEncoder } from '../encoder/index.ts';
import { fromSpec, UNet } from '../model/index.ts';
import { type LoadedCheckpoint, loadSamplingWeights } from './checkpoint.ts';
import { trainingFromSpec } from './config.ts';
import { type Denoiser, type SamplerModel, unetDenoiser } from './sampler.ts';
import { diffusionFromSpec, makeSchedule } from './schedule.ts';
import type { TrainModel } from './train.ts';

export class EncoderMismatchError extends PermanentInputError {
  override readonly name = 'EncoderMismatchError';
}

function checkEncoder(
  expected: { embeddingSize: number; inputSize?: number },
  encoder: IdentityEncoder,
  what: string,
): void {
  if (encoder.info.embeddingSize !== expected.embeddingSize) {
    throw new EncoderMismatchError(
      `${what} expects ${expected.embeddingSize}-d identity embeddings, the encoder ${encoder.info.name} gives ${encoder.info.embeddingSize}`,
    );
  }
}

/** The frozen parts of training from the job spec. */
export function trainModelFromSpec(spec: ID3TrainingJobSpec, encoder: IdentityEncoder): TrainModel {
  checkEncoder(spec.encoder, encoder, 'spec.encoder');
  const config = fromSpec(spec.model, spec.conditioning, spec.encoder.embeddingSize);
  return {
    unet: new UNet(config),
    encoder,
    schedule: makeSchedule(diffusionFromSpec(spec.diffusion)),
    training: trainingFromSpec(spec.training),
  };
}

/**
 * A sampler's model from a stored checkpoint: its weights ('ema', what the paper samples with, or 'raw'), its own
 * schedule, and the guiding encoder (which must produce the embeddings the model was conditioned on).
 */
export function samplerModelFromCheckpoint(
  saved: { metadata: unknown; files: Record<string, Uint8Array> },
  weights: 'ema' | 'raw',
  encoder?: IdentityEncoder,
): SamplerModel & { checkpoint: LoadedCheckpoint; denoiser: Denoiser } {
  const loaded = loadSamplingWeights(saved, weights);
  if (encoder) checkEncoder({ embeddingSize: loaded.config.conditioning.embeddingSize }, encoder, 'the checkpoint');
  return {
    checkpoint: loaded,
    denoiser: unetDenoiser(loaded.unet, loaded.params),
    schedule: makeSchedule(loaded.info.diffusion),
    encoder,
  };
}
