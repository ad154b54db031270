/**
 * The bundled face encoder (models/face-encoder) loads through the generic loader with the spec the examples use,
 * recognises procedural identities it never saw, and passes gradients back to the pixels (the ID³ loss and the guided
 * sampler differentiate through it).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModelFiles } from '../../io/models/index.ts';
import { renderBatch } from '../../tools/encoder/index.ts';
import type { IdentityEncoder } from '../../worker/encoder/index.ts';
import { type EncoderSpec, loadEncoder } from '../../worker/encoder/index.ts';

const root = join(import.meta.dirname, '..', '..');
const bundledSpec: EncoderSpec = {
  name: 'id3-face-encoder',
  uri: join(root, 'models', 'face-encoder', 'model.json'),
  format: 'layers',
  inputSize: 32,
  embeddingSize: 128,
  channelOrder: 'RGB',
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};

/** Identities of a set no training run used (the training set seed is 1, validation 7, the model card's 20240926). */
const UNSEEN = 424_242;

let encoder: IdentityEncoder;

beforeAll(async () => {
  encoder = await loadEncoder(bundledSpec, localModelFiles());
});

afterAll(() => encoder?.dispose());

function embed(identities: number[], index: number, size: number): Float32Array {
  const batch = renderBatch(
    UNSEEN,
    identities.map((identity) => ({ identity, index })),
    size,
  );
  return tf.tidy(
    () => encoder.embed(tf.tensor4d(batch.pixels, [identities.length, size, size, 3])).dataSync() as Float32Array,
  );
}

const cos = (a: Float32Array, i: number, b: Float32Array, j: number): number => {
  let s = 0;
  for (let k = 0; k < 128; k++) s += a[i * 128 + k]! * b[j * 128 + k]!;
  return s;
};

describe('the bundled face encoder', () => {
  it('tells unseen identities apart: two pictures of one person are closer than pictures of two people', () => {
    const ids = Array.from({ length: 24 }, (_, i) => i);
    const a = embed(ids, 0, 32);
    const b = embed(ids, 1, 32);
    let correct = 0;
    for (let i = 0; i < ids.length; i++) {
      const other = (i + 1) % ids.length;
      if (cos(a, i, b, i) > cos(a, i, b, other)) correct++;
    }
    expect(correct).toBeGreaterThanOrEqual(21);
  });

  it('embeds a 64 px picture of a person like the 32 px one (the spec resizes its input)', () => {
    const ids = [0, 1, 2, 3];
    const small = embed(ids, 2, 32);
    const large = embed(ids, 2, 64);
    for (let i = 0; i < ids.length; i++) expect(cos(small, i, large, i)).toBeGreaterThan(0.8);
  });

  it('passes finite, non-zero gradients of <y, f(x)> back to the image', async () => {
    const x = tf.tensor4d(renderBatch(UNSEEN, [{ identity: 5, index: 0 }], 32).pixels, [1, 32, 32, 3]);
    const y = tf.tensor2d(embed([6], 0, 32), [1, 128]);
    const g = await tf
      .grad((v: tf.Tensor) =>
        encoder
          .embed(v as tf.Tensor4D)
          .mul(y)
          .sum(),
      )(x)
      .data();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.filter((v) => v !== 0).length).toBeGreaterThan(g.length / 2);
  });
});
