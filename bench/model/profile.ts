/**
 * Where a training or sampling step spends its time, kernel by kernel: wraps every kernel of the active backend with a
 * timer (wall time of the kernel function; exact on synchronous backends such as wasm and cpu, dispatch time only on
 * webgpu), runs a few steps, and prints the kernels by total time, optionally split by input shapes.
 *
 *   npx tsx bench/model/profile.ts --backend wasm --size 32 --what train --batch 16 [--shapes BatchMatMul,Conv2D]
 */
import * as tf from '@tensorflow/tfjs';
import { imageNoiseKey, normals } from '../../random/index.ts';
import {
  createTrainState,
  defaultDiffusionConfig,
  defaultSamplerConfig,
  defaultTrainingConfig,
  makeSchedule,
  makeTrainStep,
  sample,
  stateParams,
  unetDenoiser,
} from '../../worker/diffusion/index.ts';
import { randomCnnEncoder } from '../../worker/encoder/index.ts';
import { type PresetSize, presetConfig, UNet } from '../../worker/model/index.ts';
import { parseBackendRequest, selectBackend } from '../../worker/tf/index.ts';

const argv = process.argv.slice(2);
const arg = (flag: string, fallback: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1]! : fallback);
const size = Number(arg('--size', '32')) as PresetSize;
const batch = Number(arg('--batch', '16'));
const what = arg('--what', 'train');
const detail = new Set(arg('--shapes', '').split(',').filter(Boolean));

const choice = await selectBackend({ prefer: parseBackendRequest(arg('--backend', 'wasm')) });
const unet = new UNet(presetConfig(size, 512));
const encoder = randomCnnEncoder({ seed: 5, inputSize: size, embeddingSize: 512, channels: [32, 64, 128, 256] });
const schedule = makeSchedule(defaultDiffusionConfig());
const x0 = tf.tanh(
  tf.tensor4d(normals({ seed: 1, a: 0, b: 0, purpose: 0 }, batch * size * size * 3), [batch, size, size, 3]),
);
const y = encoder.embed(x0 as tf.Tensor4D);
const sNorm = tf.zeros([batch, 4]) as tf.Tensor2D;

let run: () => Promise<void>;
if (what === 'train') {
  const step = makeTrainStep({ unet, encoder, schedule, training: { ...defaultTrainingConfig(), seed: 1 } });
  let state = createTrainState(unet, { seed: 1 });
  run = async () => {
    state = (await step(state, { x0: x0 as tf.Tensor4D, y, sNorm })).state;
  };
} else {
  const state = createTrainState(unet, { seed: 1, zeroResidualOutputs: false });
  const model = { denoiser: unetDenoiser(unet, stateParams(unet, state)), schedule, encoder };
  const cond = (await tf.concat([y, sNorm], 1).data()) as Float32Array;
  const yv = (await y.data()) as Float32Array;
  const noiseKeys = Array.from({ length: batch }, (_, i) => imageNoiseKey(1, i, 0));
  const guidanceScale = what === 'sample-guided' ? 1 : 0;
  run = async () => {
    await sample(model, { ...defaultSamplerConfig(), steps: 2, guidanceScale }, { cond, y: yv, noiseKeys });
  };
}

await run();
const totals = new Map<string, { ms: number; calls: number }>();
let depth = 0;
for (const k of tf.getKernelsForBackend(tf.getBackend())) {
  const inner = k.kernelFunc;
  (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
    // Kernels that call kernels (the conv gradients) are counted once, at the outermost level.
    depth++;
    const t0 = performance.now();
    try {
      return inner(args);
    } finally {
      depth--;
      if (depth === 0) {
        const shapes = detail.has(k.kernelName)
          ? ` ${Object.values(args.inputs)
              .map((i) => i?.shape.join('x'))
              .join(' ')} ${JSON.stringify(args.attrs ?? {}).slice(0, 50)}`
          : '';
        const key = k.kernelName + shapes;
        const entry = totals.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - t0;
        entry.calls++;
        totals.set(key, entry);
      }
    }
  };
}
const reps = Number(arg('--reps', '2'));
const t0 = performance.now();
for (let i = 0; i < reps; i++) await run();
const wall = (performance.now() - t0) / reps;
const kernelMs = [...totals.values()].reduce((a, b) => a + b.ms, 0) / reps;
const calls = [...totals.values()].reduce((a, b) => a + b.calls, 0) / reps;
console.log(
  `${choice.name} ${size}px ${what} batch ${batch}: ${wall.toFixed(0)} ms per run, kernels ${kernelMs.toFixed(0)} ms, ${calls} kernel calls (rest: JS, tape, dispatch)`,
);
for (const [name, v] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(arg('--top', '20')))) {
  console.log(`${(v.ms / reps).toFixed(1).padStart(9)} ms ${String(v.calls / reps).padStart(6)}×  ${name}`);
}
process.exit(0);
