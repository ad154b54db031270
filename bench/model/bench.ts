/**
 * Times the ID³ model on one TensorFlow.js backend: a training step (the full ID³ loss through an encoder, AdamW,
 * clipping, EMA) and sampling steps (DDIM and DDPM, identity guidance off and on) at the 32/64/112 px presets.
 *
 *   npx tsx bench/model/bench.ts --backend wasm --sizes 32,64,112 [--what train|sample|both]
 *        [--train-batch 16,4,2] [--sample-batch 4] [--sample-steps 3] [--reps 2] [--out bench/results/model/wasm.json]
 *
 * Sampling is timed over a few steps of `sample()` and reported per step and per image; a whole image is that times
 * the sampler's steps (DDIM 50, DDPM 1000), since every step costs the same. The encoder is a random CNN of four
 * stride-2 convolutions (32→256 channels) standing in for a face-recognition network: a real IR-SE50 costs more, so
 * guided numbers here are a lower bound. Prints one JSON object and writes it to --out when given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { imageNoiseKey, normals } from '../../random/index.ts';
import {
  createTrainState,
  defaultDiffusionConfig,
  defaultSamplerConfig,
  defaultTrainingConfig,
  disposeTrainState,
  makeSchedule,
  makeTrainStep,
  sample,
  stateParams,
  unetDenoiser,
} from '../../worker/diffusion/index.ts';
import { randomCnnEncoder } from '../../worker/encoder/index.ts';
import {
  countParams,
  disposeParams,
  type PresetSize,
  presetConfig,
  shouldRecompute,
  UNet,
} from '../../worker/model/index.ts';
import { parseBackendRequest, selectBackend } from '../../worker/tf/index.ts';

interface Args {
  backend: string;
  what: 'train' | 'sample' | 'both';
  sizes: PresetSize[];
  trainBatch: number[];
  sampleBatch: number;
  reps: number;
  sampleSteps: number;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1]! : fallback;
  };
  const sizes = get('--sizes', '32,64,112').split(',').map(Number) as PresetSize[];
  // Small batches for wasm's 4 GB heap: 64 px fits by recomputation; 112 px does not fit even at batch 2 (RESULTS.md
  // records the Aborted() run; it is a GPU size).
  const defaultBatch: Record<number, number> = { 32: 16, 64: 4, 112: 2 };
  return {
    backend: get('--backend', 'wasm'),
    what: get('--what', 'both') as Args['what'],
    sizes,
    trainBatch: get('--train-batch', sizes.map((s) => defaultBatch[s]).join(','))
      .split(',')
      .map(Number),
    sampleBatch: Number(get('--sample-batch', '4')),
    reps: Number(get('--reps', '2')),
    sampleSteps: Number(get('--sample-steps', '3')),
    out: argv.includes('--out') ? get('--out', '') : undefined,
  };
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/** Median of `reps` timed runs after one warm-up run. */
async function timeIt(reps: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await seconds(f));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function setup(size: PresetSize) {
  const config = presetConfig(size, 512);
  const unet = new UNet(config);
  const encoder = randomCnnEncoder({ seed: 5, inputSize: size, embeddingSize: 512, channels: [32, 64, 128, 256] });
  const schedule = makeSchedule(defaultDiffusionConfig());
  return { config, unet, encoder, schedule };
}

function batchOf(size: number, b: number, encoder: ReturnType<typeof setup>['encoder']) {
  return tf.tidy(() => {
    const x0 = tf.tanh(
      tf.tensor4d(normals({ seed: 1, a: size, b, purpose: 0 }, b * size * size * 3), [b, size, size, 3]),
    );
    return { x0, y: encoder.embed(x0), sNorm: tf.zeros([b, 4]) as tf.Tensor2D };
  });
}

async function benchTrain(size: PresetSize, batch: number, reps: number) {
  const s = setup(size);
  const training = { ...defaultTrainingConfig(), seed: 1 };
  const step = makeTrainStep({ ...s, training });
  let state = createTrainState(s.unet, { seed: 1 });
  const b = batchOf(size, batch, s.encoder);
  const perStep = await timeIt(reps, async () => {
    state = (await step(state, b)).state;
  });
  disposeTrainState(state);
  tf.dispose([b.x0, b.y, b.sNorm]);
  s.encoder.dispose();
  const recompute = shouldRecompute('auto', s.unet, batch);
  return {
    params: countParams(s.unet.specs),
    batch,
    recompute,
    secondsPerStep: perStep,
    secondsPerImage: perStep / batch,
  };
}

async function benchSample(size: PresetSize, batch: number, steps: number, reps: number) {
  const s = setup(size);
  const state = createTrainState(s.unet, { seed: 1, zeroResidualOutputs: false });
  const params = stateParams(s.unet, state);
  const model = { denoiser: unetDenoiser(s.unet, params), schedule: s.schedule, encoder: s.encoder };
  const b = batchOf(size, batch, s.encoder);
  const cond = (await tf.concat([b.y, b.sNorm], 1).data()) as Float32Array;
  const y = (await b.y.data()) as Float32Array;
  const noiseKeys = Array.from({ length: batch }, (_, i) => imageNoiseKey(1, i, 0));
  const out: Record<string, { secondsPerStep: number; secondsPerImagePerStep: number }> = {};
  for (const type of ['DDIM', 'DDPM'] as const) {
    for (const guidanceScale of [0, 1]) {
      // `steps` respaced steps of the real schedule: each one costs what one of the full chain costs.
      const cfg = { ...defaultSamplerConfig(), type, steps, guidanceScale, batchSize: batch };
      const t = await timeIt(reps, () => sample(model, cfg, { cond, y, noiseKeys }));
      out[`${type} s_id=${guidanceScale}`] = { secondsPerStep: t / steps, secondsPerImagePerStep: t / steps / batch };
    }
  }
  disposeTrainState(state);
  disposeParams(params);
  tf.dispose([b.x0, b.y, b.sNorm]);
  s.encoder.dispose();
  return { batch, steps, ...out };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const choice = await selectBackend({ prefer: parseBackendRequest(args.backend) });
  const results: Record<string, unknown> = {
    backend: choice.name,
    date: new Date().toISOString(),
    load: (await import('node:os')).loadavg(),
    sizes: {},
  };
  for (const [i, size] of args.sizes.entries()) {
    const train = args.what === 'sample' ? undefined : await benchTrain(size, args.trainBatch[i] ?? 1, args.reps);
    const sampling =
      args.what === 'train' ? undefined : await benchSample(size, args.sampleBatch, args.sampleSteps, args.reps);
    (results.sizes as Record<string, unknown>)[size] = { train, sample: sampling };
    process.stderr.write(`${choice.name} ${size}px: ${JSON.stringify({ train, sample: sampling })}\n`);
  }
  const json = JSON.stringify(results, null, 2);
  if (args.out) {
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `${json}\n`);
  }
  process.stdout.write(`${json}\n`);
  process.exit(0);
}

await main();
