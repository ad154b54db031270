import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import { defaultDiffusionConfig, makeSchedule } from './schedule.ts';
import { predictEpsFromX0, predictX0FromEps, qSample, type StepOptions, step, stepSigma } from './scheduler.ts';

const schedule = makeSchedule(defaultDiffusionConfig());
const shape: [number, number, number, number] = [2, 4, 4, 3];
const tensor = (seed: number) => tf.tensor4d(normals({ seed, a: 0, b: 0, purpose: 0 }, 96), shape);
const x0 = tf.tanh(tensor(1));
const eps = tensor(2);
const z = tensor(3);

async function close(a: tf.Tensor, b: tf.Tensor, digits = 5): Promise<void> {
  const [u, v] = [await a.data(), await b.data()];
  expect(u.length).toBe(v.length);
  for (let i = 0; i < u.length; i++) expect(u[i]).toBeCloseTo(v[i]!, digits);
}

const samplers: { name: string; opts: StepOptions }[] = [
  { name: 'DDPM posterior variance', opts: { type: 'DDPM', eta: 0, variance: 'posterior', clipPredX0: false } },
  { name: 'DDPM β variance', opts: { type: 'DDPM', eta: 0, variance: 'beta', clipPredX0: false } },
  { name: 'DDIM η=0', opts: { type: 'DDIM', eta: 0, variance: 'posterior', clipPredX0: false } },
  { name: 'DDIM η=1', opts: { type: 'DDIM', eta: 1, variance: 'posterior', clipPredX0: false } },
];

describe.each(samplers)('scheduler contract: $name', ({ opts }) => {
  it('recovers x₀ exactly from the true noise (predX0)', async () => {
    const xt = qSample(schedule, x0, [600, 600], eps);
    const out = step(
      schedule,
      { modelOutput: xt.mul(0).add(eps) as tf.Tensor4D, t: 600, tPrev: 400, sample: xt, noise: z },
      opts,
    );
    await close(out.predX0, x0, 4);
  });

  it('returns x̂₀ itself on the last step, needing no noise', async () => {
    const xt = qSample(schedule, x0, [5, 5], eps);
    const out = step(schedule, { modelOutput: eps, t: 5, tPrev: 0, sample: xt }, opts);
    await close(out.prevSample, out.predX0, 6);
  });

  it('depends on its noise argument only through σ·z', async () => {
    const xt = qSample(schedule, x0, [300, 300], eps);
    const sigma = stepSigma(schedule, 300, 200, opts);
    const a = step(schedule, { modelOutput: eps, t: 300, tPrev: 200, sample: xt, noise: z }, opts).prevSample;
    const b = step(
      schedule,
      { modelOutput: eps, t: 300, tPrev: 200, sample: xt, noise: z.mul(0) as tf.Tensor4D },
      opts,
    );
    await close(a.sub(b.prevSample), z.mul(sigma), 5);
  });

  it('clipping keeps x̂₀ in [−1, 1]', async () => {
    const xt = qSample(schedule, x0, [900, 900], eps);
    const out = step(
      schedule,
      { modelOutput: eps.mul(3) as tf.Tensor4D, t: 900, tPrev: 800, sample: xt, noise: z },
      {
        ...opts,
        clipPredX0: true,
      },
    );
    expect((await out.predX0.abs().max().data())[0]).toBeLessThanOrEqual(1);
  });
});

describe('DDPM', () => {
  const opts: StepOptions = { type: 'DDPM', eta: 0, variance: 'posterior', clipPredX0: false };
  it('has the posterior q(x_{t−1} | x_t, x₀) mean when ε is exact', async () => {
    const t = 500;
    const xt = qSample(schedule, x0, [t, t], eps);
    const ab = schedule.alphaBar[t]!;
    const abPrev = schedule.alphaBar[t - 1]!;
    const beta = schedule.betas[t]!;
    // DDPM Eq. 7: μ̃ = √ᾱ_{t−1}·β_t/(1 − ᾱ_t)·x₀ + √α_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t)·x_t
    const mean = x0
      .mul((Math.sqrt(abPrev) * beta) / (1 - ab))
      .add(xt.mul((Math.sqrt(1 - beta) * (1 - abPrev)) / (1 - ab)));
    const out = step(schedule, { modelOutput: eps, t, tPrev: t - 1, sample: xt, noise: z.mul(0) as tf.Tensor4D }, opts);
    await close(out.prevSample, mean, 5);
    expect(stepSigma(schedule, t, t - 1, opts) ** 2).toBeCloseTo((beta * (1 - abPrev)) / (1 - ab), 12);
    expect(stepSigma(schedule, t, t - 1, { ...opts, variance: 'beta' }) ** 2).toBeCloseTo(beta, 12);
  });

  it('DDIM with η = 1 adds the DDPM posterior noise', () => {
    const ddim: StepOptions = { ...opts, type: 'DDIM', eta: 1 };
    for (const [t, tPrev] of [
      [500, 499],
      [800, 600],
    ] as const) {
      expect(stepSigma(schedule, t, tPrev, ddim)).toBeCloseTo(stepSigma(schedule, t, tPrev, opts), 10);
    }
  });
});

describe('DDIM η = 0', () => {
  it('moves a noisy image along its own trajectory: x_t(x₀, ε) → x_{t′}(x₀, ε) with the exact ε', async () => {
    const opts: StepOptions = { type: 'DDIM', eta: 0, variance: 'posterior', clipPredX0: false };
    const xt = qSample(schedule, x0, [700, 700], eps);
    const out = step(schedule, { modelOutput: eps, t: 700, tPrev: 350, sample: xt }, opts);
    await close(out.prevSample, qSample(schedule, x0, [350, 350], eps), 5);
  });
});

describe('predictX0FromEps / predictEpsFromX0', () => {
  it('invert qSample and each other', async () => {
    const ab = schedule.alphaBar[250]!;
    const xt = qSample(schedule, x0, [250, 250], eps);
    await close(predictX0FromEps(xt, eps, ab), x0, 5);
    await close(predictEpsFromX0(xt, x0, ab), eps, 4);
  });
});
