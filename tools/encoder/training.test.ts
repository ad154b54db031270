import { describe, expect, it } from 'vitest';
import { batchAddresses, defaultEncoderTrainingConfig, type EncoderTrainingConfig, trainEncoder } from './training.ts';

const tiny: EncoderTrainingConfig = {
  ...defaultEncoderTrainingConfig(),
  net: { inputSize: 16, embeddingSize: 8, stem: 4, stemStride: 1, stages: [8, 8], units: [1, 1], dropout: 0 },
  identities: 4,
  picturesPerIdentity: 2,
  steps: 4,
  batchSize: 6,
  warmupSteps: 1,
  marginWarmupSteps: 2,
  validation: { setSeed: 7, identities: 3, perIdentity: 2, pairs: 5, size: 16, pairSeed: 1 },
  validateEvery: 2,
};

describe('batchAddresses', () => {
  it('draws from the configured identities, pictures and shifts, the same way for the same step', () => {
    const c = { ...tiny, batchSize: 200, maxShift: 1 };
    const a = batchAddresses(c, 3);
    expect(batchAddresses(c, 3)).toEqual(a);
    expect(batchAddresses(c, 4)).not.toEqual(a);
    expect(new Set(a.addresses.map((x) => x.identity))).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(a.addresses.map((x) => x.index))).toEqual(new Set([0, 1]));
    expect(new Set(a.shifts.flat())).toEqual(new Set([-1, 0, 1]));
  });
});

describe('trainEncoder', () => {
  it('runs the loop with finite losses, validates on schedule and stops when asked', async () => {
    const events: { step: number; loss: number; validationAccuracy?: number }[] = [];
    const saved: number[] = [];
    const model = await trainEncoder(tiny, {
      onEvent: (e) => events.push(e),
      onCheckpoint: async (_m, step) => void saved.push(step),
      shouldStop: () => events.length >= 3,
    });
    expect(events.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(events.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(events[1]!.validationAccuracy).toBeGreaterThanOrEqual(0);
    expect(saved).toEqual([2]);
    expect(model.outputs[0]!.shape).toEqual([null, 8]);
    model.dispose();
  });
});
