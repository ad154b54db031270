import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { admit, type ID3TrainingJob } from '../../api/index.ts';
import { trainingJob } from '../../test/builders.ts';
import { randomCnnEncoder } from '../encoder/index.ts';
import { saveCheckpoint } from './checkpoint.ts';
import { EncoderMismatchError, samplerModelFromCheckpoint, trainModelFromSpec } from './setup.ts';
import { createTrainState, stateParams } from './train.ts';

const spec = (
  admit(
    trainingJob('t')
      .set('spec.encoder.embeddingSize', 8)
      .set('spec.model', {
        resolution: 8,
        channels: 8,
        channelMultipliers: [1, 2],
        attentionResolutions: [4],
        groupNormGroups: 4,
        attentionHeads: 2,
        resBlocks: 1,
        dropout: 0,
      })
      .set('spec.conditioning.hiddenSizes', [16, 24])
      .set('spec.diffusion.schedule', 'cosine')
      .set('spec.training.idLossWeight', 0.5)
      .obj(),
  ).object as ID3TrainingJob
).spec;

describe('trainModelFromSpec', () => {
  it('takes the network, schedule and optimisation from the job spec', () => {
    const m = trainModelFromSpec(spec, randomCnnEncoder({ seed: 1, inputSize: 8, embeddingSize: 8 }));
    expect(m.unet.config.unet).toMatchObject({ resolution: 8, channels: 8, channelMultipliers: [1, 2] });
    expect(m.unet.config.conditioning.hiddenSizes).toEqual([16, 24]);
    expect(m.schedule.config.schedule).toBe('cosine');
    expect(m.training.idLossWeight).toBe(0.5);
  });

  it('refuses an encoder whose embeddings do not fit the spec', () => {
    expect(() => trainModelFromSpec(spec, randomCnnEncoder({ seed: 1, embeddingSize: 16 }))).toThrow(
      EncoderMismatchError,
    );
  });
});

describe('samplerModelFromCheckpoint', () => {
  it('samples with the EMA weights and the schedule the checkpoint recorded', async () => {
    const encoder = randomCnnEncoder({ seed: 1, inputSize: 8, embeddingSize: 8 });
    const m = trainModelFromSpec(spec, encoder);
    const state = createTrainState(m.unet, { seed: 2, zeroResidualOutputs: false });
    const info = { step: 0, training: m.training, diffusion: m.schedule.config, encoder: encoder.info };
    const saved = await saveCheckpoint(m.unet.config, state, info);
    const s = samplerModelFromCheckpoint(saved, 'ema', encoder);
    expect(s.schedule.alphaBar).toEqual(m.schedule.alphaBar);
    const x = tf.ones([1, 8, 8, 3]) as tf.Tensor4D;
    const t = tf.tensor1d([10]);
    const cond = tf.ones([1, 12]) as tf.Tensor2D;
    const want = await m.unet.apply(stateParams(m.unet, state), { x, t, cond }).data();
    expect(await s.denoiser.eps(x, t, cond).data()).toEqual(want);
    expect(() => samplerModelFromCheckpoint(saved, 'ema', randomCnnEncoder({ seed: 1, embeddingSize: 4 }))).toThrow(
      EncoderMismatchError,
    );
  });
});
