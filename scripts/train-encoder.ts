/**
 * Trains the bundled face encoder on procedural faces and records how well it verifies unseen identities.
 *
 *   npx tsx scripts/train-encoder.ts --out models/face-encoder [--pool-cache FILE] [--steps N] [--identities N] [--batch N]
 *     [--stem N --stages A,B,C]
 *
 * Writes model.json + weights.bin (a TensorFlow.js layers model) and training.json (config, the loss every 50 steps,
 * validation accuracies, and the verification result on 6000 pairs of unseen identities, measured through the generic loader) into --out. Ctrl-C
 * stops after the current step and still saves and evaluates.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { localModelFiles } from '../io/models/index.ts';
import {
  defaultEncoderTrainingConfig,
  defaultVerificationProtocol,
  type EncoderTrainingConfig,
  evaluateVerification,
  FacePool,
  trainEncoder,
} from '../tools/encoder/index.ts';
import { loadEncoder, saveLayersModel } from '../worker/encoder/index.ts';
import { encoderInfo, type TrainingEvent } from '../worker/recognition/index.ts';
import { selectBackend } from '../worker/tf/index.ts';

const opts = new Command()
  .option('--out <dir>', 'output folder', 'models/face-encoder')
  .option('--steps <n>', 'training steps', Number)
  .option('--identities <n>', 'training identities', Number)
  .option('--batch <n>', 'batch size', Number)
  .option('--lr <x>', 'peak learning rate', Number)
  .option('--stem <n>', 'channels of the stem convolution', Number)
  .option('--stages <list>', 'channels of the three stages, comma-separated (e.g. 24,48,96)')
  .option('--backend <name>', 'tfjs backend', 'wasm')
  .option('--pool-cache <file>', 'keep the rendered training pictures in this file and reuse them on the next run')
  .parse()
  .opts<{
    out: string;
    steps?: number;
    identities?: number;
    batch?: number;
    lr?: number;
    stem?: number;
    stages?: string;
    backend: string;
    poolCache?: string;
  }>();

const config: EncoderTrainingConfig = {
  ...defaultEncoderTrainingConfig(),
  ...(opts.steps ? { steps: opts.steps } : {}),
  ...(opts.identities ? { identities: opts.identities } : {}),
  ...(opts.batch ? { batchSize: opts.batch } : {}),
  ...(opts.lr ? { learningRate: opts.lr } : {}),
};
if (opts.stem || opts.stages) {
  config.net = {
    ...config.net,
    ...(opts.stem ? { stem: opts.stem } : {}),
    ...(opts.stages ? { stages: opts.stages.split(',').map(Number) } : {}),
  };
  config.validation = { ...config.validation, size: config.net.inputSize };
}
const backend = await selectBackend({ prefer: opts.backend as 'wasm' });
console.log(`backend ${backend.name}; ${JSON.stringify(config)}`);

let stop = false;
process.on('SIGINT', () => {
  stop = true;
  console.log('stopping after this step');
});
const pool = await trainingPool(config, opts.poolCache);
const history: TrainingEvent[] = [];
const started = Date.now();
const files = localModelFiles();
const info = encoderInfo(config.net);
const modelJson = join(opts.out, 'model.json');
const model = await trainEncoder(config, {
  shouldStop: () => stop,
  pool,
  onCheckpoint: (m, step) => saveLayersModel(m, modelJson, files, { encoder: info, training: config, step }),
  onEvent: (e) => {
    history.push(e);
    if (e.step % 10 === 0 || e.validationAccuracy !== undefined) {
      const val = e.validationAccuracy === undefined ? '' : ` val_acc ${e.validationAccuracy.toFixed(4)}`;
      console.log(
        `step ${e.step} loss ${e.loss.toFixed(3)} lr ${e.learningRate.toExponential(2)} m ${e.margin.toFixed(2)} ${e.secondsPerStep.toFixed(2)} s/step${val}`,
      );
    }
  },
});
const trainingSeconds = (Date.now() - started) / 1000;
await saveLayersModel(model, modelJson, files, { encoder: info, training: config });

// The reported figure goes through the generic loader, exactly as a job would load the encoder.
const encoder = await loadEncoder({ ...info, uri: modelJson, format: 'layers' }, files);
const protocol = defaultVerificationProtocol(config.net.inputSize);
const result = evaluateVerification(encoder, protocol);
console.log(`verification on ${2 * protocol.pairs} pairs of unseen identities: ${JSON.stringify(result.accuracy)}`);
console.log(`EER ${result.separability.eer.toFixed(4)} d' ${result.separability.dPrime.toFixed(2)}`);
await writeFile(
  join(opts.out, 'training.json'),
  `${JSON.stringify({ backend: backend.name, config, stepsDone: history.length, trainingSeconds, verification: result, history: compact(history) }, null, 1)}\n`,
);

/** Renders the training pictures, or reads them back from the cache file when it matches the config. */
async function trainingPool(c: EncoderTrainingConfig, cache?: string): Promise<FacePool> {
  const size = c.net.inputSize;
  const expected = c.identities * c.picturesPerIdentity * size * size * 3;
  const name = cache ? `${cache}.${c.setSeed}-${c.identities}-${c.picturesPerIdentity}-${size}` : undefined;
  if (name) {
    const bytes = await readFile(name).catch(() => undefined);
    if (bytes?.length === expected) {
      console.log(`training pictures from ${name}`);
      return new FacePool(c.setSeed, c.identities, c.picturesPerIdentity, size, new Uint8Array(bytes));
    }
  }
  const pool = FacePool.render(c.setSeed, c.identities, c.picturesPerIdentity, size, (done, total) => {
    if (done % 200 === 0 || done === total) console.log(`rendered ${done}/${total} identities`);
  });
  if (name) await writeFile(name, pool.pixels);
  return pool;
}

/** Every 50th step and every validation, rounded: enough to see the curve without a megabyte of JSON. */
function compact(events: TrainingEvent[]) {
  return events
    .filter((e) => e.step % 50 === 0 || e.validationAccuracy !== undefined)
    .map((e) => ({
      step: e.step,
      loss: +e.loss.toFixed(4),
      learningRate: +e.learningRate.toPrecision(3),
      margin: +e.margin.toFixed(3),
      secondsPerStep: +e.secondsPerStep.toFixed(2),
      ...(e.validationAccuracy === undefined ? {} : { validationAccuracy: e.validationAccuracy }),
    }));
}
