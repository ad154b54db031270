/**
 * Algorithm 2 on small images: the samplers against the exact denoiser of Gaussian data (a known answer), identity
 * guidance against a fixed encoder, determinism and batch independence with the U-Net, and flat memory.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageNoiseKey, normals, type StreamKey } from '../../random/index.ts';
import {
  defaultSamplerConfig,
  noiseFor,
  type SamplerConfig,
  sample,
  stateParams,
  unetDenoiser,
} from '../../worker/diffusion/index.ts';
import { l2Normalize } from '../../worker/encoder/index.ts';
import { selectBackend } from '../../worker/tf/index.ts';
import { fixedBatch, freshState, gaussianDenoiser, samplerInputs, tinySetup } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', env: {} });
});

const s = tinySetup({ resolution: 8 });
const keys = (n: number, offset = 0): StreamKey[] =>
  Array.from({ length: n }, (_, i) => imageNoiseKey(4, offset + i, 2));
const cfg = (over: Partial<SamplerConfig>): SamplerConfig => ({ ...defaultSamplerConfig(), ...over });

describe('samplers with the exact denoiser of N(0.1, 0.4²) data', () => {
  const denoiser = gaussianDenoiser(s.schedule, 8, 0.1, 0.4);
  it.each([
    {
      name: 'DDPM, all 1000 steps, posterior variance',
      given: cfg({ type: 'DDPM', steps: 1000, variance: 'posterior' }),
    },
    { name: 'DDPM, all 1000 steps, β variance', given: cfg({ type: 'DDPM', steps: 1000, variance: 'beta' }) },
    { name: 'DDIM, 200 steps, η = 0', given: cfg({ type: 'DDIM', steps: 200, eta: 0 }) },
  ])('$name reproduces the mean and the spread', async ({ given }) => {
    const n = 16;
    const x = await sample(
      { denoiser, schedule: s.schedule },
      { ...given, guidanceScale: 0 },
      { cond: new Float32Array(n * 12), y: new Float32Array(n * 8), noiseKeys: keys(n) },
    );
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length);
    // 3072 values: standard errors ≈ 0.007 (mean) and 0.005 (std).
    expect(Math.abs(mean - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(std - 0.4)).toBeLessThan(0.02);
  });
});

describe('identity guidance', () => {
  const denoiser = gaussianDenoiser(s.schedule, 8, 0.1, 0.4);
  const n = 8;
  const target = l2Normalize(tf.tensor2d(normals({ seed: 8, a: 0, b: 0, purpose: 0 }, n * 8), [n, 8]));

  it.each([
    { name: 'DDIM, 20 steps', given: cfg({ type: 'DDIM', steps: 20 }) },
    { name: 'DDPM, 50 steps', given: cfg({ type: 'DDPM', steps: 50 }) },
  ])('raises cos(f(x), y) with the scale s_id: $name', async ({ given }) => {
    const y = (await target.data()) as Float32Array;
    const consistency: number[] = [];
    for (const guidanceScale of [0, 3, 10, 30]) {
      const x = await sample(
        { denoiser, schedule: s.schedule, encoder: s.encoder },
        { ...given, guidanceScale },
        { cond: new Float32Array(n * 12), y, noiseKeys: keys(n) },
      );
      const images = tf.tensor4d(x, [n, 8, 8, 3]).clipByValue(-1, 1) as tf.Tensor4D;
      consistency.push(s.encoder.embed(images).mul(target).sum(1).mean().dataSync()[0]!);
    }
    for (let i = 1; i < consistency.length; i++) expect(consistency[i]).toBeGreaterThan(consistency[i - 1]!);
    expect(consistency.at(-1)! - consistency[0]!).toBeGreaterThan(0.2);
  });

  it('needs an encoder', async () => {
    const request = { cond: new Float32Array(12), y: new Float32Array(8), noiseKeys: keys(1) };
    await expect(sample({ denoiser, schedule: s.schedule }, cfg({ guidanceScale: 1 }), request)).rejects.toThrow(
      /encoder/,
    );
  });
});

describe('sampling with the U-Net', () => {
  const state = freshState(s, true);
  const params = stateParams(s.unet, state);
  const denoiser = unetDenoiser(s.unet, params);
  const model = { denoiser, schedule: s.schedule, encoder: s.encoder };
  const batch = fixedBatch(s, 4, 31);
  const configs = [
    { name: 'guided DDIM, η = 0.5', given: cfg({ type: 'DDIM', steps: 6, eta: 0.5, guidanceScale: 2 }) },
    { name: 'guided DDPM', given: cfg({ type: 'DDPM', steps: 6, guidanceScale: 2 }) },
  ];

  /** Rows `rows` of the fixed batch's conditions with their noise keys, as one request. */
  async function request(rows: number[]) {
    const all = await samplerInputs(batch);
    const pick = (a: Float32Array, w: number) => {
      const out = new Float32Array(rows.length * w);
      rows.forEach((r, i) => {
        out.set(a.subarray(r * w, (r + 1) * w), i * w);
      });
      return out;
    };
    return { cond: pick(all.cond, 12), y: pick(all.y, 8), noiseKeys: rows.map((r) => keys(4)[r]!) };
  }

  it.each(configs)('is deterministic: $name', async ({ given }) => {
    const a = await sample(model, given, await request([0, 1, 2]));
    const b = await sample(model, given, await request([0, 1, 2]));
    expect(b).toEqual(a);
  });

  it.each(configs)('gives an image that does not depend on its batch neighbours: $name', async ({ given }) => {
    const per = 8 * 8 * 3;
    const inBatch = (await sample(model, given, await request([0, 1, 2]))).subarray(per, 2 * per);
    const alone = await sample(model, given, await request([1]));
    const otherNeighbours = (await sample(model, given, await request([3, 1]))).subarray(per, 2 * per);
    for (const other of [alone, otherNeighbours]) {
      const diff = other.reduce((m, v, i) => Math.max(m, Math.abs(v - inBatch[i]!)), 0);
      expect(diff).toBeLessThan(1e-4);
    }
    // …while another image's noise does change it.
    const moved = (await sample(model, given, { ...(await request([1])), noiseKeys: keys(1, 9) })).subarray(0, per);
    expect(moved.reduce((m, v, i) => Math.max(m, Math.abs(v - alone[i]!)), 0)).toBeGreaterThan(0.1);
  });

  it.each(configs)('gives the same images with guidance by recomputation: $name', async ({ given }) => {
    const lean = { ...model, denoiser: unetDenoiser(s.unet, params, { recompute: true }) };
    const req = await request([0, 1]);
    const a = await sample(model, given, req);
    const b = await sample(lean, given, req);
    expect(a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)).toBeLessThan(1e-3);
  });

  it('leaves no tensors behind', async () => {
    const req = await request([0, 1]);
    await sample(model, configs[0]!.given, req);
    const before = tf.memory().numTensors;
    await sample(model, configs[0]!.given, req);
    await sample(model, configs[1]!.given, req);
    const lean = { ...model, denoiser: unetDenoiser(s.unet, params, { recompute: true }) };
    await sample(lean, configs[0]!.given, req);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('noiseFor', () => {
  it('draws each image from its own stream, draw by draw', async () => {
    const pair = await noiseFor(keys(2), 1, [2, 2, 3]).data();
    const second = await noiseFor(keys(1, 1), 1, [2, 2, 3]).data();
    expect([...pair.subarray(12)]).toEqual([...second]);
    const otherDraw = await noiseFor(keys(1, 1), 2, [2, 2, 3]).data();
    expect([...otherDraw]).not.toEqual([...second]);
  });
});
