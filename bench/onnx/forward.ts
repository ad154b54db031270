/**
 * Forward time per 112 px image of the ONNX test networks (test/fixtures/onnx/make_models.py: the shrunk IR-SE50- and
 * MobileFaceNet-shaped nets), imported as tfjs functions on the wasm backend vs ONNX Runtime (CPU) on the same file.
 * Also the guided-sampling cost on wasm: forward + gradient with respect to the pixels (ONNX Runtime has no gradient).
 *
 *   npx tsx bench/onnx/forward.ts [--batches 1,8] [--reps 5] [--out bench/results/onnx/forward.json]
 *
 * Each number is the median of --reps timed runs after one warm-up run, in milliseconds per image. ONNX Runtime runs
 * with 1 intra-op thread (tfjs's wasm backend is single-threaded in Node) and with its default (all cores).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { writeOnnxModels } from '../../test/fixtures/onnx/models.ts';
import { onnxEncoder } from '../../worker/encoder/onnx/index.ts';
import { selectBackend } from '../../worker/tf/index.ts';

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const batches = arg('--batches', '1,8').split(',').map(Number);
const reps = Number(arg('--reps', '5'));
const out = process.argv.includes('--out') ? arg('--out', '') : undefined;

async function medianMs(run: () => Promise<void> | void): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function ortMs(bytes: Uint8Array, batch: number, threads?: number): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, threads ? { intraOpNumThreads: threads } : {});
  const input = new ort.Tensor('float32', new Float32Array(batch * 3 * 112 * 112).fill(0.1), [batch, 3, 112, 112]);
  const ms = await medianMs(async () => {
    await session.run({ [session.inputNames[0]!]: input });
  });
  await session.release();
  return ms / batch;
}

async function tfjsMs(bytes: Uint8Array, batch: number, withGradient: boolean): Promise<number> {
  const encoder = onnxEncoder(bytes);
  const images = tf.randomUniform([batch, 112, 112, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomNormal([batch, encoder.info.embeddingSize], 0, 1, 'float32', 2);
  const ms = await medianMs(() => {
    const result = withGradient
      ? tf.grad((x: tf.Tensor) => tf.sum(tf.mul(encoder.embed(x as tf.Tensor4D), y)))(images)
      : tf.tidy(() => encoder.embed(images));
    result.dataSync();
    result.dispose();
  });
  tf.dispose([images, y]);
  encoder.dispose();
  return ms / batch;
}

await selectBackend({ prefer: 'wasm' });
const models = await writeOnnxModels();
const rows: Record<string, number | string>[] = [];
for (const name of ['ir_se', 'mobilefacenet']) {
  const bytes = readFileSync(models.path(name));
  for (const batch of batches) {
    rows.push({
      net: name,
      batch,
      'tfjs wasm forward': await tfjsMs(bytes, batch, false),
      'tfjs wasm forward+grad': await tfjsMs(bytes, batch, true),
      'ORT 1 thread': await ortMs(bytes, batch, 1),
      'ORT default threads': await ortMs(bytes, batch),
    });
  }
}
await models.remove();
const result = { date: new Date().toISOString(), reps, unit: 'ms per image (median)', rows };
console.log(JSON.stringify(result, null, 2));
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}
