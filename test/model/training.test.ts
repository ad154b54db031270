/**
 * The ID³ training step on a tiny network (8×8 images): the loss's gradient against finite differences, the loss
 * falling, the identity term doing its job, the encoder staying frozen, flat memory, and exact resumption from a
 * checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normals } from '../../random/index.ts';
import {
  disposeTrainState,
  drawStep,
  id3Loss,
  type LossDraws,
  loadTrainState,
  makeTrainStep,
  saveCheckpoint,
  type TrainBatch,
  type TrainState,
} from '../../worker/diffusion/index.ts';
import { paramOffsets, unflattenParams } from '../../worker/model/index.ts';
import { selectBackend } from '../../worker/tf/index.ts';
import { fixedBatch, freshState, type TinySetup, tinySetup } from './fixtures.ts';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', env: {} });
});

/** Fixed evaluation draws (from a step number no training run here reaches). */
function evalDraws(s: TinySetup, batch: number, k: number, t?: number[]): LossDraws {
  const d = drawStep(s, 1_000_000 + k, batch);
  return t ? { ...d, t } : d;
}

type LossSetup = Pick<TinySetup, 'unet' | 'encoder' | 'schedule'> & {
  training: Pick<TinySetup['training'], 'idLossWeight' | 'reconstructionWeight'>;
};

/** The loss at flat parameters θ. */
function lossAt(
  s: LossSetup,
  theta: tf.Tensor1D,
  batch: TrainBatch,
  draws: LossDraws,
  term: 'loss' | 'identity' = 'loss',
): number {
  return tf.tidy(() => id3Loss(s, unflattenParams(s.unet.specs, theta), batch, draws)[term].dataSync()[0]!);
}

async function train(s: TinySetup, state: TrainState, batch: TrainBatch, steps: number): Promise<TrainState> {
  const step = makeTrainStep(s);
  let st = state;
  for (let i = 0; i < steps; i++) st = (await step(st, batch)).state;
  return st;
}

/** Mean cos(y, f(x̂₀)) over a few fixed draws: how well one-step reconstructions keep the identity. */
function identityConsistency(s: TinySetup, theta: tf.Tensor1D, batch: TrainBatch): number {
  const probe = { ...s, training: { idLossWeight: 1, reconstructionWeight: 0 } };
  let total = 0;
  for (let k = 0; k < 4; k++) {
    const draws = evalDraws(s, batch.x0.shape[0], k, Array(batch.x0.shape[0]).fill(300));
    // identity term = mean(w_t·⟨y, f(x̂₀)⟩) with a constant t: divide w_t back out.
    total += lossAt(probe, theta, batch, draws, 'identity') / 0.5 / (1 - 1 / (1 + Math.exp(-0.3)));
    draws.noise.dispose();
  }
  return total / 4;
}

describe('the ID³ loss gradient', () => {
  it.each([
    { name: 'whole loss, all parameters', given: { wId: 5, cRec: 1, only: '' } },
    {
      name: 'identity term alone, conditioning MLP only (through the frozen encoder)',
      given: { wId: 5, cRec: 0, only: 'cond.' },
    },
  ])('matches central finite differences: $name', ({ given }) => {
    const s = tinySetup({ training: { idLossWeight: given.wId, reconstructionWeight: given.cRec } });
    const state = freshState(s, true);
    const batch = fixedBatch(s, 3);
    const draws = evalDraws(s, 3, 0, [40, 200, 600]);
    const term = given.only ? 'identity' : 'loss';
    // A random direction d of unit length over the parameters it touches (all, or those named given.only…).
    const d = new Float32Array(state.theta.size);
    for (const { name, offset, size } of paramOffsets(s.unet.specs)) {
      if (name.startsWith(given.only)) d.set(normals({ seed: 77, a: offset, b: 0, purpose: 0 }, size), offset);
    }
    const norm = Math.sqrt(d.reduce((a, v) => a + v * v, 0));
    const unit = tf.tensor1d(d.map((v) => v / norm));
    const grad = tf.grad(
      (theta: tf.Tensor) => id3Loss(s, unflattenParams(s.unet.specs, theta as tf.Tensor1D), batch, draws)[term],
    )(state.theta);
    const analytic = grad.mul(unit).sum().dataSync()[0]!;
    const h = 1e-2;
    const shifted = (sign: number) => {
      const theta = state.theta.add(unit.mul(sign * h)) as tf.Tensor1D;
      const v = lossAt(s, theta, batch, draws, term);
      theta.dispose();
      return v;
    };
    const numeric = (shifted(1) - shifted(-1)) / (2 * h);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(analytic - numeric) / Math.abs(numeric)).toBeLessThan(2e-2);
  });
});

describe('trainStep', () => {
  it('lowers the loss on a fixed batch', async () => {
    const s = tinySetup();
    const batch = fixedBatch(s, 8);
    const before = freshState(s);
    const draws = [0, 1, 2, 3].map((k) => evalDraws(s, 8, k));
    const mean = (theta: tf.Tensor1D) => draws.reduce((a, d) => a + lossAt(s, theta, batch, d), 0) / draws.length;
    const initial = mean(before.theta);
    const after = await train(s, before, batch, 60);
    expect(mean(after.theta)).toBeLessThan(0.8 * initial);
  });

  it('with a large w_id raises cos(y, f(x̂₀)) above what w_id = 0 reaches', async () => {
    const results: Record<string, number> = {};
    for (const wId of [0, 50]) {
      const s = tinySetup({ training: { idLossWeight: wId } });
      const batch = fixedBatch(s, 8);
      const state = await train(s, freshState(s), batch, 40);
      results[wId] = identityConsistency(s, state.theta, batch);
      disposeTrainState(state);
    }
    expect(results[50]).toBeGreaterThan(results[0]! + 0.05);
  });

  it('never updates the encoder', async () => {
    const s = tinySetup({ training: { idLossWeight: 50 } });
    const batch = fixedBatch(s, 4);
    const before = await s.encoder.embed(batch.x0).data();
    await train(s, freshState(s), batch, 3);
    expect(await s.encoder.embed(batch.x0).data()).toEqual(before);
  });

  it('keeps the number of live tensors flat over many steps', async () => {
    const s = tinySetup({ training: { idLossWeight: 1, reconstructionWeight: 0.5 } });
    const batch = fixedBatch(s, 4);
    const step = makeTrainStep(s);
    let state = (await step(freshState(s), batch)).state;
    const { numTensors, numBytes } = tf.memory();
    for (let i = 0; i < 40; i++) state = (await step(state, batch)).state;
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.memory().numBytes).toBe(numBytes);
  });

  it('takes the same steps with gradients by recomputation (bounded memory) as with the tape', async () => {
    const s = tinySetup({ training: { idLossWeight: 2, reconstructionWeight: 0.5 } });
    const batch = fixedBatch(s, 4);
    const run = async (recompute: boolean) => {
      const step = makeTrainStep(s, { recompute });
      let state = freshState(s, true);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await step(state, batch);
        state = r.state;
        losses.push(r.loss);
      }
      return { losses, theta: await state.theta.data() };
    };
    const [tape, lean] = [await run(false), await run(true)];
    lean.losses.forEach((l, i) => {
      expect(l).toBeCloseTo(tape.losses[i]!, 5);
    });
    // Float32 sums in another order; AdamW normalises updates, so tiny gradient differences move weights by ~1e-4.
    const scale = Math.max(...Array.from(tape.theta, Math.abs));
    expect(Math.max(...Array.from(tape.theta, (v, i) => Math.abs(v - lean.theta[i]!))) / scale).toBeLessThan(1e-3);
  });

  it('resumes from a checkpoint exactly as if it had never stopped', async () => {
    const s = tinySetup({ training: { idLossWeight: 1 } });
    const batch = fixedBatch(s, 4);
    const straight = await train(s, freshState(s), batch, 6);
    const half = await train(s, freshState(s), batch, 3);
    const info = { step: 3, training: s.training, diffusion: s.schedule.config, encoder: s.encoder.info };
    const saved = await saveCheckpoint(s.config, half, info);
    const stored = { metadata: JSON.parse(JSON.stringify(saved.metadata)), files: saved.files };
    const loaded = loadTrainState(stored);
    expect(loaded.info.training).toEqual(s.training);
    expect(loaded.state.step).toBe(3);
    const resumed = await train(s, loaded.state, batch, 3);
    for (const part of ['theta', 'ema', 'adamM', 'adamV'] as const) {
      expect(await resumed[part].data()).toEqual(await straight[part].data());
    }
  });
});
