import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { adamwUpdate, clipByGlobalNorm, clipFactor, emaUpdate, learningRateAt, type OptimizerConfig } from './optim.ts';

const cfg: OptimizerConfig = {
  learningRate: 0.1,
  warmupSteps: 2,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  gradientClipNorm: 1,
};

/** torch.optim.AdamW, written out for one scalar. */
function referenceAdamW(p0: number, grads: number[]): number {
  let [p, m, v] = [p0, 0, 0];
  grads.forEach((g, i) => {
    const k = i + 1;
    const lr = cfg.learningRate * Math.min(1, k / cfg.warmupSteps);
    p *= 1 - lr * cfg.weightDecay;
    m = cfg.beta1 * m + (1 - cfg.beta1) * g;
    v = cfg.beta2 * v + (1 - cfg.beta2) * g * g;
    p -= (lr * (m / (1 - cfg.beta1 ** k))) / (Math.sqrt(v / (1 - cfg.beta2 ** k)) + cfg.epsilon);
  });
  return p;
}

describe('adamwUpdate', () => {
  it('matches torch.optim.AdamW element by element over three steps with warm-up and weight decay', async () => {
    const p0 = [0.5, -1.5, 2];
    const gs = [
      [0.3, -0.2, 0.05],
      [0.1, 0.4, -0.3],
      [-0.2, 0.1, 0.2],
    ];
    let params: tf.Tensor[] = [tf.tensor1d(p0)];
    let slots: { m: tf.Tensor[]; v: tf.Tensor[] } = { m: [tf.zeros([3])], v: [tf.zeros([3])] };
    for (let k = 1; k <= 3; k++) {
      const next = adamwUpdate(cfg, k, params, [tf.tensor1d(gs[k - 1]!)], slots);
      params = next.params;
      slots = next.slots;
    }
    const got = await params[0]!.data();
    p0.forEach((p, i) => {
      expect(got[i]).toBeCloseTo(
        referenceAdamW(
          p,
          gs.map((g) => g[i]!),
        ),
        6,
      );
    });
  });

  it.each([
    { name: 'during warm-up', given: 1, want: 0.05 },
    { name: 'after warm-up', given: 10, want: 0.1 },
  ])('learning rate $name', ({ given, want }) => {
    expect(learningRateAt(cfg, given)).toBeCloseTo(want, 12);
  });
});

describe('clipByGlobalNorm', () => {
  it.each([
    {
      name: 'scales a large gradient to the limit',
      given: { g: [[3], [4]], max: 1 },
      want: { norm: 5, g: [0.6, 0.8] },
    },
    { name: 'leaves a small gradient alone', given: { g: [[0.3], [0.4]], max: 1 }, want: { norm: 0.5, g: [0.3, 0.4] } },
    { name: 'is off at 0', given: { g: [[3], [4]], max: 0 }, want: { norm: 5, g: [3, 4] } },
  ])('$name', async ({ given, want }) => {
    const { grads, norm } = clipByGlobalNorm(
      given.g.map((g) => tf.tensor1d(g)),
      given.max,
    );
    expect((await norm.data())[0]).toBeCloseTo(want.norm, 5);
    const flat = [...(await grads[0]!.data()), ...(await grads[1]!.data())];
    flat.forEach((v, i) => {
      expect(v).toBeCloseTo(want.g[i]!, 5);
    });
  });
});

describe('clipFactor folded into adamwUpdate', () => {
  it('is the update of the clipped gradient, without a clipped copy', async () => {
    const g = [tf.tensor1d([3, -4])];
    const { norm, factor } = clipFactor(g, 1);
    expect((await norm.data())[0]).toBeCloseTo(5, 5);
    expect((await factor.data())[0]).toBeCloseTo(0.2, 5);
    const slots = () => ({ m: [tf.tensor1d([0.1, 0.2])], v: [tf.tensor1d([0.01, 0.02])] });
    const p = () => [tf.tensor1d([1, 2])];
    const folded = adamwUpdate(cfg, 3, p(), g, slots(), { gradScale: factor });
    const explicit = adamwUpdate(cfg, 3, p(), clipByGlobalNorm(g, 1).grads, slots());
    for (const [a, b] of [
      [folded.params[0]!, explicit.params[0]!],
      [folded.slots.m[0]!, explicit.slots.m[0]!],
      [folded.slots.v[0]!, explicit.slots.v[0]!],
    ] as const) {
      const [x, y] = [await a.data(), await b.data()];
      x.forEach((v, i) => {
        expect(v).toBeCloseTo(y[i]!, 6);
      });
    }
  });
});

describe('emaUpdate', () => {
  it('moves the average a (1 − decay) share towards the weights', async () => {
    const [e] = emaUpdate([tf.tensor1d([1, 2])], [tf.tensor1d([3, 6])], 0.75);
    expect([...(await e!.data())]).toEqual([1.5, 3]);
  });
});
