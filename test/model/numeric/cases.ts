/**
 * The model's numeric checks as backend-independent cases: each computes plain numbers on whatever backend is active,
 * reading tensors only with `await data()` (webgpu cannot read synchronously). The webgpu test runs them in a child
 * process on Dawn + lavapipe and compares with the same cases on wasm in the test process; `check` holds the
 * properties every backend must show on its own (the loss falls, guidance helps, memory stays flat, …).
 */
import * as tf from '@tensorflow/tfjs';
import { imageNoiseKey, normals } from '../../../random/index.ts';
import {
  defaultSamplerConfig,
  drawStep,
  id3Loss,
  makeTrainStep,
  sample,
  stateParams,
  unetDenoiser,
} from '../../../worker/diffusion/index.ts';
import { l2Normalize } from '../../../worker/encoder/index.ts';
import { unflattenParams } from '../../../worker/model/index.ts';
import { solveTammes } from '../../../worker/planner/index.ts';
import { fixedBatch, freshState, gaussianDenoiser, samplerInputs, tinySetup } from '../fixtures.ts';

export type Numbers = Record<string, number[]>;

export interface NumericCase {
  name: string;
  run(): Promise<Numbers>;
  /** Largest |a − b| / max(|b|) allowed between a backend and the reference, per output (default 1e-4). */
  tolerance?: number;
  /** Properties that must hold on any backend (throws an Error with a message when not). */
  check?(out: Numbers): void;
}

async function values(t: tf.Tensor, every = 1): Promise<number[]> {
  const v = await t.data();
  t.dispose();
  return Array.from(v).filter((_, i) => i % every === 0);
}

function expectThat(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

const convCase: NumericCase = {
  name: 'conv2d gradients (strides 1 and 2, same and valid, odd and even sizes)',
  async run() {
    const out: Numbers = {};
    for (const [size, stride, pad] of [
      [8, 1, 'same'],
      [7, 2, 'same'],
      [8, 2, 'valid'],
      [9, 1, 'valid'],
    ] as const) {
      const x = tf.tensor4d(normals({ seed: 1, a: size, b: stride, purpose: 0 }, 2 * size * size * 3), [
        2,
        size,
        size,
        3,
      ]);
      const w = tf.tensor4d(normals({ seed: 2, a: size, b: stride, purpose: 0 }, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad)
          .square()
          .sum(),
      )([x, w]);
      out[`dx ${size} s${stride} ${pad}`] = await values(gx!);
      out[`dw ${size} s${stride} ${pad}`] = await values(gw!);
      tf.dispose([x, w]);
    }
    return out;
  },
};

const forwardCase: NumericCase = {
  name: 'U-Net forward and encoder',
  async run() {
    const s = tinySetup();
    const state = freshState(s, true);
    const batch = fixedBatch(s, 2);
    const params = stateParams(s.unet, state);
    const t = tf.tensor1d([10, 700]);
    const cond = tf.concat([batch.y, batch.sNorm], 1) as tf.Tensor2D;
    const eps = s.unet.apply(params, { x: batch.x0, t, cond });
    const embedding = s.encoder.embed(batch.x0);
    const grad = tf.grad((x: tf.Tensor) => s.encoder.embed(x as tf.Tensor4D).sum())(batch.x0);
    return { eps: await values(eps), embedding: await values(embedding), encoderGrad: await values(grad) };
  },
};

const gradientCase: NumericCase = {
  name: 'ID³ loss, its gradient, and the gradient against finite differences',
  // The finite difference is a difference of two nearby losses: float32 noise of ~1e-4 relative.
  tolerance: 5e-3,
  async run() {
    const s = tinySetup({ training: { idLossWeight: 5, reconstructionWeight: 1 } });
    const state = freshState(s, true);
    const batch = fixedBatch(s, 3);
    const draws = drawStep(s, 1_000_000, 3);
    draws.t = [40, 200, 600];
    const loss = (theta: tf.Tensor) =>
      id3Loss(s, unflattenParams(s.unet.specs, theta as tf.Tensor1D), batch, draws).loss;
    const { value, grad } = tf.valueAndGrad(loss)(state.theta);
    const dir = tf.tensor1d(normals({ seed: 77, a: 0, b: 0, purpose: 0 }, state.theta.size));
    const unit = dir.div(dir.norm());
    const h = 1e-2;
    const plus = tf.tidy(() => loss(state.theta.add(unit.mul(h))));
    const minus = tf.tidy(() => loss(state.theta.sub(unit.mul(h))));
    const [analytic] = await values(grad.mul(unit).sum());
    const [lp, lm] = [...(await values(plus)), ...(await values(minus))];
    return {
      loss: await values(value),
      gradient: await values(grad, 13),
      directional: [analytic!, (lp! - lm!) / (2 * h)],
    };
  },
  check(out) {
    const [analytic, numeric] = out.directional as [number, number];
    expectThat(
      Math.abs(analytic - numeric) < 2e-2 * Math.abs(numeric),
      `gradient ${analytic} vs finite difference ${numeric}`,
    );
  },
};

const trainCase: NumericCase = {
  name: 'trainStep: losses, weights, flat memory',
  tolerance: 1e-3,
  async run() {
    const s = tinySetup({ training: { idLossWeight: 1 } });
    const batch = fixedBatch(s, 4);
    const step = makeTrainStep(s);
    let state = freshState(s);
    const losses: number[] = [];
    let tensors = 0;
    for (let i = 0; i < 12; i++) {
      const r = await step(state, batch);
      state = r.state;
      losses.push(r.loss);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    return { losses, theta: await values(state.theta.clone(), 17), leaked: [tf.memory().numTensors - tensors] };
  },
  check(out) {
    const l = out.losses!;
    expectThat(l.slice(-3).reduce((a, b) => a + b) < l.slice(0, 3).reduce((a, b) => a + b), `loss did not fall: ${l}`);
    expectThat(out.leaked![0] === 0, `${out.leaked![0]} tensors leaked over 10 steps`);
  },
};

const samplerCase: NumericCase = {
  name: 'guided DDIM and DDPM with the U-Net',
  tolerance: 1e-3,
  async run() {
    const s = tinySetup();
    const state = freshState(s, true);
    const model = {
      denoiser: unetDenoiser(s.unet, stateParams(s.unet, state)),
      schedule: s.schedule,
      encoder: s.encoder,
    };
    const { cond, y } = await samplerInputs(fixedBatch(s, 2, 31));
    const noiseKeys = [0, 1].map((i) => imageNoiseKey(4, i, 2));
    const ddim = await sample(
      model,
      { ...defaultSamplerConfig(), type: 'DDIM', steps: 4, eta: 0.5, guidanceScale: 2 },
      { cond, y, noiseKeys },
    );
    const ddpm = await sample(
      model,
      { ...defaultSamplerConfig(), type: 'DDPM', steps: 4, guidanceScale: 2 },
      { cond, y, noiseKeys },
    );
    return { ddim: Array.from(ddim), ddpm: Array.from(ddpm) };
  },
};

const guidanceCase: NumericCase = {
  name: 'identity guidance raises cos(f(x), y) (exact Gaussian denoiser)',
  tolerance: 1e-3,
  async run() {
    const s = tinySetup();
    const n = 4;
    const target = l2Normalize(tf.tensor2d(normals({ seed: 8, a: 0, b: 0, purpose: 0 }, n * 8), [n, 8]));
    const y = (await target.data()) as Float32Array;
    const consistency: number[] = [];
    for (const guidanceScale of [0, 10, 30]) {
      const x = await sample(
        { denoiser: gaussianDenoiser(s.schedule, 8, 0.1, 0.4), schedule: s.schedule, encoder: s.encoder },
        { ...defaultSamplerConfig(), type: 'DDIM', steps: 10, guidanceScale },
        { cond: new Float32Array(n * 12), y, noiseKeys: [0, 1, 2, 3].map((i) => imageNoiseKey(4, i, 0)) },
      );
      const images = tf.tensor4d(x, [n, 8, 8, 3]).clipByValue(-1, 1) as tf.Tensor4D;
      consistency.push(...(await values(s.encoder.embed(images).mul(target).sum(1).mean())));
    }
    return { consistency };
  },
  check(out) {
    const c = out.consistency!;
    expectThat(c[0]! < c[1]! && c[1]! < c[2]!, `guidance did not raise identity consistency: ${c}`);
  },
};

const tammesCase: NumericCase = {
  name: 'Tammes anchors',
  tolerance: 1e-3,
  async run() {
    const r = await solveTammes(32, 6, 3, { steps: 15, temperature: 0.05, learningRate: 0.1, blockSize: 12 });
    return { maxCosine: [r.initialMaxCosine, r.maxCosine], anchors: Array.from(r.anchors) };
  },
  check(out) {
    const [before, after] = out.maxCosine as [number, number];
    expectThat(after < before, `Tammes did not improve on the random start: ${before} → ${after}`);
  },
};

export const NUMERIC_CASES: NumericCase[] = [
  convCase,
  forwardCase,
  gradientCase,
  trainCase,
  samplerCase,
  guidanceCase,
  tammesCase,
];

/** Runs every case on the active backend; errors are reported per case, not thrown. */
export async function runCases(): Promise<Record<string, Numbers | { error: string }>> {
  const out: Record<string, Numbers | { error: string }> = {};
  for (const c of NUMERIC_CASES) {
    try {
      out[c.name] = await c.run();
    } catch (err) {
      out[c.name] = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
  }
  return out;
}
