import { describe, expect, it } from 'vitest';
import { defaultRecognitionTrainingConfig, type LabelledBatch, learningRateAt, trainRecognition } from './train.ts';

describe('learningRateAt', () => {
  it('warms up linearly, then decays along a cosine to the final rate', () => {
    const c = {
      ...defaultRecognitionTrainingConfig(),
      steps: 1100,
      warmupSteps: 100,
      learningRate: 1,
      finalLearningRate: 0,
    };
    expect(learningRateAt(c, 0)).toBeCloseTo(0.01, 9);
    expect(learningRateAt(c, 99)).toBeCloseTo(1, 9);
    expect(learningRateAt(c, 600)).toBeCloseTo(0.5, 9);
    expect(learningRateAt(c, 1100)).toBeCloseTo(0, 9);
  });
});

describe('trainRecognition', () => {
  it('learns to tell four colour classes apart from the batches it is given', async () => {
    const size = 8;
    const plane = size * size * 3;
    const config = {
      ...defaultRecognitionTrainingConfig(),
      net: { inputSize: size, embeddingSize: 4, stem: 4, stemStride: 1, stages: [4], units: [1], dropout: 0 },
      classes: 4,
      steps: 30,
      batchSize: 8,
      warmupSteps: 1,
      marginWarmupSteps: 10,
      // No margin: the loss then falls as the classes separate (a growing margin would raise it meanwhile).
      arcface: { ...defaultRecognitionTrainingConfig().arcface, margin: 0 },
      learningRate: 1e-2,
      validateEvery: 1000,
    };
    // Class c lights channel c mod 3 (dark for c = 3), with a little noise per row and step.
    const batchAt = (step: number): LabelledBatch => {
      const pixels = new Float32Array(config.batchSize * plane);
      const labels = new Int32Array(config.batchSize);
      for (let r = 0; r < config.batchSize; r++) {
        const c = r % 4;
        labels[r] = c;
        for (let p = 0; p < size * size; p++)
          for (let ch = 0; ch < 3; ch++)
            pixels[r * plane + p * 3 + ch] = (ch === c ? 0.7 : -0.3) + 0.05 * Math.sin(step * 7 + r * 3 + p);
      }
      return { pixels, labels };
    };
    const losses: number[] = [];

    const model = await trainRecognition(config, batchAt, { onEvent: (e) => losses.push(e.loss) });
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses.slice(0, 5).reduce((a, b) => a + b) / 5);
    model.dispose();
  });
});
