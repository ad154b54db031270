import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { arcFaceLogits, arcFaceLoss } from './arcface.ts';

describe('arcFaceLogits', () => {
  // Two classes in 2-D: centres e0 and e1; the embedding is at 30° from e0.
  const centres = tf.tensor2d([1, 0, 0, 1], [2, 2]);
  const embedding = tf.tensor2d([[Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)]]);

  it.each([
    {
      name: 'no margin gives s·cos θ for every class',
      margin: 0,
      want: [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)],
    },
    {
      name: 'the margin widens only the target angle',
      margin: 0.5,
      want: [Math.cos(Math.PI / 6 + 0.5), Math.sin(Math.PI / 6)],
    },
  ])('$name', async ({ margin, want }) => {
    const logits = arcFaceLogits(embedding, centres, tf.tensor1d([0], 'int32'), { scale: 10, margin });
    const got = await logits.data();
    expect(got[0]).toBeCloseTo(10 * want[0]!, 4);
    expect(got[1]).toBeCloseTo(10 * want[1]!, 4);
  });

  it('caps the widened angle at π', async () => {
    const opposite = tf.tensor2d([[-1, 0.001]]);
    const logits = await arcFaceLogits(opposite, centres, tf.tensor1d([0], 'int32'), { scale: 1, margin: 0.5 }).data();
    expect(logits[0]).toBeCloseTo(-1, 3);
  });
});

describe('arcFaceLoss', () => {
  it('is smaller when embeddings sit on their own class centre, and has finite gradients', () => {
    const centres = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const labels = tf.tensor1d([0, 1], 'int32');
    const good = arcFaceLoss(tf.tensor2d([1, 0, 0, 1], [2, 2]), centres, labels).dataSync()[0]!;
    const bad = arcFaceLoss(tf.tensor2d([0, 1, 1, 0], [2, 2]), centres, labels).dataSync()[0]!;
    expect(good).toBeLessThan(bad);
    const g = tf.grad((e: tf.Tensor) => arcFaceLoss(e as tf.Tensor2D, centres, labels))(
      tf.tensor2d([0.8, 0.6, 0.6, 0.8], [2, 2]),
    );
    const values = g.dataSync();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
  });
});
