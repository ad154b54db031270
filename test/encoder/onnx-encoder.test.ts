/**
 * ONNX face-recognition models as IdentityEncoders: what is read from the graph, insightface's input convention as
 * the default, and embeddings equal to ONNX Runtime's on the same pixels (preprocessed here by hand, in plain
 * JavaScript), unit-normalised.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModelFiles } from '../../io/models/index.ts';
import { EncoderLoadError, type EncoderSpec, loadEncoder } from '../../worker/encoder/loader.ts';
import {
  insightfaceInput,
  type OnnxEncoderOptions,
  type OnnxGraph,
  OnnxUnsupportedError,
  onnxEncoder,
} from '../../worker/encoder/onnx/index.ts';
import { selectBackend } from '../../worker/tf/backend.ts';
import { writeOnnxModels } from '../fixtures/onnx/models.ts';

const models = await writeOnnxModels();
afterAll(() => models.remove());
beforeAll(() => selectBackend({ prefer: 'wasm' }));

/** [B, S, S, 3] images in [−1, 1] → the NCHW network input, by hand: [0, 1], channel order, (x − mean) / std. */
function byHand(
  images: Float32Array,
  b: number,
  s: number,
  o: Required<Omit<OnnxEncoderOptions, 'name' | 'inputSize'>>,
) {
  const out = new Float32Array(images.length);
  for (let n = 0; n < b; n++) {
    for (let c = 0; c < 3; c++) {
      const from = o.channelOrder === 'BGR' ? 2 - c : c;
      for (let p = 0; p < s * s; p++) {
        const v = (images[(n * s * s + p) * 3 + from]! + 1) / 2;
        out[(n * 3 + c) * s * s + p] = (v - o.mean[c]!) / o.std[c]!;
      }
    }
  }
  return out;
}

async function ortEmbeddings(name: string, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(models.path(name));
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, shape) });
  await session.release();
  const y = out[session.outputNames[0]!]!.data as Float32Array;
  const rows = shape[0]!;
  const cols = y.length / rows;
  return y.map((v, i) => {
    const r = Math.floor(i / cols);
    return v / Math.hypot(...y.slice(r * cols, (r + 1) * cols));
  });
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('onnxEncoder', () => {
  it.each([
    { name: 'ir_se', size: 112, embedding: 64 },
    { name: 'mobilefacenet', size: 112, embedding: 64 },
    { name: 'export_opset17', size: 32, embedding: 16 },
  ])('$name: input size and embedding size from the graph, insightface input by default', async (c) => {
    const encoder = onnxEncoder(await readFile(models.path(c.name)), { name: c.name });
    expect(encoder.info).toEqual({
      name: c.name,
      inputSize: c.size,
      embeddingSize: c.embedding,
      channelOrder: 'RGB',
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    });
    encoder.dispose();
  });

  it.each([
    { name: 'insightface default', options: {} },
    {
      name: 'BGR, per-channel mean and std',
      options: { channelOrder: 'BGR', mean: [0.4, 0.45, 0.5], std: [0.2, 0.25, 0.3] },
    },
  ] as { name: string; options: OnnxEncoderOptions }[])(
    'ir_se, $name: unit rows equal to ONNX Runtime on the same pixels',
    async ({ options }) => {
      const encoder = onnxEncoder(await readFile(models.path('ir_se')), options);
      const images = tf.randomUniform([2, 112, 112, 3], -1, 1, 'float32', 21);
      const got = tf.tidy(() => encoder.embed(images as tf.Tensor4D).dataSync());
      const convention = { channelOrder: 'RGB' as const, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], ...options };
      const input = byHand(images.dataSync() as Float32Array, 2, 112, convention);
      const want = await ortEmbeddings('ir_se', input, [2, 3, 112, 112]);
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
      for (let r = 0; r < 2; r++) expect(Math.hypot(...got.slice(r * 64, r * 64 + 64))).toBeCloseTo(1, 5);
      images.dispose();
      encoder.dispose();
    },
  );

  it('takes a channels-last input (as tf2onnx writes) as it is, equal to ONNX Runtime', async () => {
    const encoder = onnxEncoder(await readFile(models.path('nhwc_input')));
    expect(encoder.info.inputSize).toBe(24);
    const images = tf.randomUniform([2, 24, 24, 3], -1, 1, 'float32', 6);
    const got = tf.tidy(() => encoder.embed(images as tf.Tensor4D).dataSync());
    // mean 0.5, std 0.5: the network input is the images themselves.
    const want = await ortEmbeddings('nhwc_input', images.dataSync() as Float32Array, [2, 24, 24, 3]);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
    images.dispose();
    encoder.dispose();
  });

  it('needs the input size when the graph does not fix it', async () => {
    const bytes = await readFile(models.path('unfixed_size'));
    expect(() => onnxEncoder(bytes)).toThrow(/input of unknown size: give the encoder its inputSize/);
    const encoder = onnxEncoder(bytes, { inputSize: 40 });
    expect(encoder.info).toMatchObject({ inputSize: 40, embeddingSize: 8 });
    encoder.dispose();
  });

  it('resizes other image sizes to the graph input size', async () => {
    const encoder = onnxEncoder(await readFile(models.path('mobilefacenet')));
    const y = tf.tidy(() => encoder.embed(tf.randomUniform([3, 64, 64, 3], -1, 1, 'float32', 2)).shape);
    expect(y).toEqual([3, 64]);
    encoder.dispose();
  });

  it('refuses an input size the graph does not take, naming both', async () => {
    const bytes = await readFile(models.path('ir_se'));
    expect(() => onnxEncoder(bytes, { inputSize: 128 })).toThrow(OnnxUnsupportedError);
    expect(() => onnxEncoder(bytes, { inputSize: 128 })).toThrow(/input size of 112 px, but 128 px was asked for/);
  });

  it('refuses a graph with more than one input', async () => {
    const bytes = await readFile(models.path('ops/mul_se'));
    expect(() => onnxEncoder(bytes)).toThrow(/2 graph inputs \('x', 's'\); an encoder takes one image batch/);
  });
});

describe('insightfaceInput: what insightface feeds a model (arcface_onnx.py)', () => {
  const graph = (names: string[]) =>
    ({ nodes: names.map((name, index) => ({ name, index, opType: 'Conv' })) }) as unknown as OnnxGraph;
  it.each([
    { name: 'PyTorch export', given: ['/conv1/Conv', '/bn1/BatchNormalization', '/prelu/PRelu'], mean: 0.5, std: 0.5 },
    {
      name: 'MXNet conversion (_minus, _mul)',
      given: ['_minusscalar0', '_mulscalar0', 'conv0'],
      mean: 0,
      std: 1 / 255,
    },
    { name: 'Sub and Mul nodes', given: ['Sub_0', 'Mul_1', 'Conv_2'], mean: 0, std: 1 / 255 },
    { name: 'a Mul alone', given: ['Conv_0', 'Mul_1'], mean: 0.5, std: 0.5 },
    {
      name: 'Sub and Mul after the 8th node',
      given: [...Array(8).fill('Conv'), 'Sub_8', 'Mul_9'],
      mean: 0.5,
      std: 0.5,
    },
  ])('$name', ({ given, mean, std }) => {
    expect(insightfaceInput(graph(given))).toEqual({
      channelOrder: 'RGB',
      mean: [mean, mean, mean],
      std: [std, std, std],
    });
  });
});

describe('loadEncoder with format onnx (what a job spec names)', () => {
  const spec = (over: Partial<EncoderSpec> = {}): EncoderSpec => ({
    uri: models.path('ir_se'),
    format: 'onnx',
    name: 'ir-se-test',
    inputSize: 112,
    embeddingSize: 64,
    channelOrder: 'RGB',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    ...over,
  });

  it('loads the .onnx file at the URI, with the spec as its input convention', async () => {
    const encoder = await loadEncoder(spec({ channelOrder: 'BGR' }), localModelFiles());
    expect(encoder.info).toMatchObject({ name: 'ir-se-test', inputSize: 112, embeddingSize: 64, channelOrder: 'BGR' });
    const direct = onnxEncoder(await readFile(models.path('ir_se')), { channelOrder: 'BGR' });
    const images = tf.randomUniform([1, 112, 112, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
    const [a, b] = tf.tidy(() => [encoder.embed(images).dataSync(), direct.embed(images).dataSync()]);
    expect(maxAbsDiff(a!, b!)).toBe(0);
    tf.dispose(images);
    encoder.dispose();
    direct.dispose();
  });

  it.each([
    {
      name: 'a wrong embeddingSize',
      over: { embeddingSize: 512 },
      want: 'embeds to 64 values, but the spec says embeddingSize 512',
    },
    { name: 'a wrong inputSize', over: { inputSize: 128 }, want: 'input size of 112 px, but 128 px was asked for' },
    {
      name: 'a file that is not ONNX',
      over: { uri: join(import.meta.dirname, 'onnx-encoder.test.ts') },
      want: 'not a readable ONNX model',
    },
    {
      name: 'an unsupported operator',
      over: { uri: models.path('bad/unsupported_ops') },
      want: "node 'TopK_1' (TopK)",
    },
  ])('refuses $name with an EncoderLoadError', async ({ over, want }) => {
    const err = await loadEncoder(spec(over), localModelFiles()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncoderLoadError);
    expect((err as Error).message).toContain(want);
  });

  it('lets a storage error through as it is: the storage layer classifies a missing object', async () => {
    const err = await loadEncoder(spec({ uri: models.path('missing') }), localModelFiles()).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(EncoderLoadError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
