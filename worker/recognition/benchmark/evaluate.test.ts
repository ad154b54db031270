import { beforeAll, describe, expect, it } from 'vitest';
import { tinyImages } from '../../../test/fixtures/benchmark/helpers.ts';
import { encodeBin, readBin } from './bin.ts';
import { defaultBenchmarkOptions, evaluateBenchmark } from './evaluate.ts';
import type { ImageBatch } from './images.ts';
import { pairSet, type VerificationSet } from './set.ts';

const PAIRS = 20;
let images: Uint8Array[];
let set: VerificationSet;

beforeAll(async () => {
  images = await tinyImages(2 * PAIRS); // image k is a flat grey of level (37 k) mod 256, one corner marked
  // Same pairs show one picture twice; different pairs two pictures.
  const pairs = Array.from({ length: PAIRS }, (_, k) => ({
    a: images[2 * k]!,
    b: images[2 * k + (k % 2)]!,
    same: k % 2 === 0,
  }));
  set = pairSet(readBin(encodeBin(pairs)), 'test.bin');
});

/** Embeds each image as a one-hot of its grey level (which the mirror image shares), recording the calls. */
function recordingEmbedder() {
  const calls: ImageBatch[] = [];
  const embed = (batch: ImageBatch) => {
    calls.push(batch);
    const plane = batch.size * batch.size * 3;
    const out = new Float32Array(batch.count * 256);
    for (let k = 0; k < batch.count; k++) {
      const pixels = batch.pixels.subarray(k * plane, (k + 1) * plane);
      const level = Math.round((255 * pixels.reduce((a, b) => a + b, 0)) / plane);
      out[k * 256 + level] = 1;
    }
    return out;
  };
  return { calls, embed };
}

describe('evaluateBenchmark', () => {
  it('embeds every image and its mirror image in pair order, and scores them by the protocol', async () => {
    const { calls, embed } = recordingEmbedder();
    const result = await evaluateBenchmark(set, embed, { ...defaultBenchmarkOptions(8), batch: 16 });
    expect(calls.map((c) => [c.count, c.size])).toEqual([16, 16, 16, 16, 8, 8].map((n) => [n, 8]));
    // The second call of each pair of calls holds the mirrored batch: the marked corner moves to the right.
    const corner = (b: ImageBatch, x: number) => b.pixels[x * 3]!;
    expect(corner(calls[1]!, 7)).toBe(corner(calls[0]!, 0));
    expect(corner(calls[1]!, 0)).toBe(corner(calls[0]!, 7));

    // Same pairs embed identically (distance 0), different pairs orthogonally (distance 2): every fold is right at
    // the grid's first threshold, 0.01, which only holds if the pairs kept their order through decoding and embedding.
    expect(result).toMatchObject({ source: 'test.bin', size: 8, flip: true, dim: 256, xnorm: 1 });
    expect(result.accuracy).toEqual({ mean: 1, std: 0 });
    expect(result.folds.map((f) => f.threshold)).toEqual(Array(10).fill(0.01));
    // Training FAR jumps from 0 (t ≤ 2) to 1 (t > 2); interpolating across the jump puts the threshold just above 2,
    // which accepts every pair: insightface's TAR at FAR 1e-3 is 1 at a FAR of 1 here.
    expect(result.folds.every((f) => f.valThreshold > 2 && f.valThreshold < 2.001)).toBe(true);
    expect(result.tarAtFar).toMatchObject({ tar: 1, far: 1 });
  });

  it('embeds once per batch without flipping', async () => {
    const { calls, embed } = recordingEmbedder();
    const result = await evaluateBenchmark(set, embed, { ...defaultBenchmarkOptions(8), flip: false, batch: 40 });
    expect(calls.length).toBe(1);
    expect(result.flip).toBe(false);
  });

  it('refuses an embedder whose rows do not match the images', async () => {
    const embed = (batch: ImageBatch) => new Float32Array(batch.count * 4 + 1);
    await expect(evaluateBenchmark(set, embed, defaultBenchmarkOptions(8))).rejects.toThrow(
      /the embedder returned 161 values for 40 images of test.bin image 0/,
    );
  });
});
