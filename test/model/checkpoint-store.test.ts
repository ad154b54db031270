/**
 * A training state through io/checkpoints on local disk and back: bit-exact weights, EMA and AdamW moments, every
 * hyper-parameter, the attribute pool, and a sampler loading only the EMA weights.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { openStore } from '../../io/storage/index.ts';
import {
  type CheckpointInfo,
  loadSamplingWeights,
  loadTrainState,
  makeTrainStep,
  saveCheckpoint,
} from '../../worker/diffusion/index.ts';
import { flattenParams } from '../../worker/model/index.ts';
import { selectBackend } from '../../worker/tf/index.ts';
import { fixedBatch, freshState, tinySetup } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', env: {} });
});

describe('checkpoints through the checkpoint store', () => {
  it('round-trip a training state exactly, and give a sampler its EMA weights', async () => {
    const s = tinySetup({ training: { idLossWeight: 1 } });
    const step = makeTrainStep(s);
    const batch = fixedBatch(s, 4);
    let state = freshState(s);
    for (let i = 0; i < 2; i++) state = (await step(state, batch)).state;
    const info: CheckpointInfo = {
      step: 2,
      training: s.training,
      diffusion: s.schedule.config,
      encoder: s.encoder.info,
      attributePool: { names: ['age', 'pitch', 'yaw', 'roll'], values: new Float32Array([30, 1, -2, 3, 60, -4, 5, 6]) },
      provenance: { job: 'quickstart-training' },
    };
    const saved = await saveCheckpoint(s.config, state, info);
    const store = new CheckpointStore(openStore(mkdtempSync(join(tmpdir(), 'id3-model-ckpt-'))));
    await store.save({ step: info.step, metadata: saved.metadata, files: saved.files });

    const loaded = loadTrainState(await store.load());
    expect(loaded.config).toEqual(s.config);
    expect(loaded.info).toEqual(info);
    for (const part of ['theta', 'ema', 'adamM', 'adamV'] as const) {
      expect(await loaded.state[part].data()).toEqual(await state[part].data());
    }

    const sampling = loadSamplingWeights(await store.load(2), 'ema');
    const ema = flattenParams(sampling.unet.specs, sampling.params);
    expect(await ema.data()).toEqual(await state.ema.data());
    tf.dispose([ema, ...Object.values(sampling.params)]);
  });
});
