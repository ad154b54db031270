/**
 * The ONNX importer against ONNX Runtime, the independent implementation: every operator case and the three network
 * shapes (IR-SE50, MobileFaceNet, a torch.onnx.export-style graph at opsets 11, 13 and 17), all written by the real
 * ONNX library (test/fixtures/onnx/make_models.py), run on the cpu and wasm backends. Then what must be refused, and
 * how.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadOnnx,
  OnnxFormatError,
  type OnnxProgram,
  OnnxRunError,
  OnnxUnsupportedError,
} from '../../worker/encoder/onnx/index.ts';
import { selectBackend } from '../../worker/tf/backend.ts';
import { writeOnnxModels } from '../fixtures/onnx/models.ts';

const models = await writeOnnxModels();
const opCases = await models.list('ops');
const NETS = ['ir_se', 'mobilefacenet', 'export_opset11', 'export_opset13', 'export_opset17'];

afterAll(() => models.remove());

/** Concrete sizes for symbolic dimensions: the batch (axis 0) is 2 unless asked, others 3. */
function feedShapes(program: OnnxProgram, batch: number): number[][] {
  return program.graph.inputs.map((info) => info.dims!.map((d, i) => d ?? (i === 0 ? batch : 3)));
}

function randomFeeds(shapes: number[][], seed: number): Float32Array[] {
  return shapes.map((s, k) => tf.tidy(() => tf.randomNormal(s, 0, 1, 'float32', seed + k).dataSync() as Float32Array));
}

async function referenceOutputs(bytes: Uint8Array, program: OnnxProgram, shapes: number[][], data: Float32Array[]) {
  const session = await ort.InferenceSession.create(bytes);
  const feeds = Object.fromEntries(
    program.graph.inputs.map((info, i) => [info.name, new ort.Tensor('float32', data[i]!, shapes[i]!)]),
  );
  const out = await session.run(feeds);
  await session.release();
  return program.graph.outputs.map((o) => ({ dims: [...out[o.name]!.dims], data: out[o.name]!.data as Float32Array }));
}

/** max |a − b| / max |b|: the error relative to the output's scale. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

/** Rows scaled to unit length, then max |a − b|. */
function unitRowError(got: ArrayLike<number>, want: ArrayLike<number>, rows: number): number {
  const cols = want.length / rows;
  let err = 0;
  for (let r = 0; r < rows; r++) {
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from({ length: cols }, (_, j) => v[r * cols + j]!));
    const [ng, nw] = [norm(got), norm(want)];
    for (let j = 0; j < cols; j++) err = Math.max(err, Math.abs(got[r * cols + j]! / ng - want[r * cols + j]! / nw));
  }
  return err;
}

async function compare(name: string, batch: number) {
  const bytes = await readFile(models.path(name));
  const program = loadOnnx(bytes);
  const shapes = feedShapes(program, batch);
  const data = randomFeeds(shapes, 11);
  const want = await referenceOutputs(bytes, program, shapes, data);
  const got = tf.tidy(() =>
    program.run(data.map((d, i) => tf.tensor(d, shapes[i]!))).map((t) => ({ dims: t.shape, flat: t.dataSync() })),
  );
  program.dispose();
  return want.map((w, i) => ({ ...got[i]!, want: w }));
}

describe.each(['cpu', 'wasm'] as const)('ONNX import on the %s backend, against ONNX Runtime', (backend) => {
  it.each(opCases)('%s: same output', async (name) => {
    await selectBackend({ prefer: backend });
    for (const { dims, flat, want } of await compare(name, 2)) {
      expect(dims).toEqual(want.dims);
      expect(relativeError(flat, want.data)).toBeLessThan(1e-5);
    }
  });

  it.each(NETS)('%s: same raw output and same unit-normalised embedding (batch 3)', async (name) => {
    await selectBackend({ prefer: backend });
    const { dims, flat, want } = (await compare(name, 3))[0]!;
    expect(dims).toEqual(want.dims);
    expect(relativeError(flat, want.data)).toBeLessThan(1e-4);
    expect(unitRowError(flat, want.data, 3)).toBeLessThan(1e-4);
  });
});

describe('running a program', () => {
  it('folds the Shape → Gather → Unsqueeze → Concat → Reshape chain per run: any batch size, same rows', async () => {
    await selectBackend({ prefer: 'cpu' });
    const program = loadOnnx(await readFile(models.path('export_opset13')));
    const x = tf.randomNormal([3, 3, 32, 32], 0, 1, 'float32', 5);
    const all = tf.tidy(() => program.run([x])[0]!.arraySync() as number[][]);
    const one = tf.tidy(() => program.run([x.slice([1, 0, 0, 0], [1, 3, 32, 32])])[0]!.arraySync() as number[][]);
    expect(all).toHaveLength(3);
    expect(relativeError(one[0]!, all[1]!)).toBeLessThan(1e-5);
    program.dispose();
    x.dispose();
  });

  it.each([
    { name: 'mobilefacenet', left: 1, why: 'the BN after Gemm' },
    { name: 'ir_se', left: 7, why: 'the BN opening each of 5 IR blocks, the output BN after Add, the BN after Gemm' },
  ])('$name: merges every Conv → BatchNormalization into the Conv ($left left: $why)', async ({ name, left }) => {
    const program = loadOnnx(await readFile(models.path(name)));
    expect(program.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(left);
    program.dispose();
  });

  it('keeps no intermediate tensor: a run outside tf.tidy leaves only its outputs', async () => {
    await selectBackend({ prefer: 'cpu' });
    const program = loadOnnx(await readFile(models.path('ir_se')));
    const x = tf.zeros([1, 3, 112, 112]);
    tf.dispose(program.run([x])); // the first run also caches the weights in tfjs layout
    const before = tf.memory().numTensors;
    const [y] = program.run([x]);
    expect(tf.memory().numTensors).toBe(before + 1);
    y!.dispose();
    program.dispose();
    x.dispose();
  });

  it('names the input and the sizes when a feed has the wrong shape', async () => {
    const program = loadOnnx(await readFile(models.path('ir_se')));
    const x = tf.zeros([1, 3, 64, 64]);
    expect(() => program.run([x])).toThrow(OnnxRunError);
    expect(() => program.run([x])).toThrow("graph input 'input' takes [?, 3, 112, 112], was given [1, 3, 64, 64]");
    program.dispose();
    x.dispose();
  });
});

describe('refusals', () => {
  const refusal = async (name: string) => {
    try {
      loadOnnx(await readFile(models.path(name)));
    } catch (err) {
      return err as Error;
    }
    throw new Error(`${name} loaded`);
  };

  it.each([
    {
      name: 'bad/unsupported_ops',
      want: ["node 'Softmax_1' (Softmax): operator not supported", "node 'TopK_1' (TopK): operator not supported"],
    },
    {
      name: 'bad/unsupported_attribute',
      want: [
        "node 'MaxPool_1' (MaxPool): unsupported dilations [2,2] (only 1 is supported for pooling)",
        "node 'Pad_1' (Pad): unsupported mode wrap",
      ],
    },
    { name: 'bad/float16_weight', want: ["initializer 'half_weight' is FLOAT16; only FLOAT (float32) weights"] },
    { name: 'bad/external_data', want: ["initializer 'w_1' keeps its data in an external file (weights.bin)"] },
  ])('$name: every problem named at once', async ({ name, want }) => {
    const err = await refusal(name);
    expect(err).toBeInstanceOf(OnnxUnsupportedError);
    const problems = (err as OnnxUnsupportedError).problems;
    expect(problems).toHaveLength(want.length);
    for (const [i, w] of want.entries()) expect(problems[i]).toContain(w);
  });

  it('lists the supported operators when an operator is missing', async () => {
    expect((await refusal('bad/unsupported_ops')).message).toMatch(/Operators supported: Add, AveragePool, .*Conv/);
  });

  it.each([
    { name: 'truncated', bytes: async () => (await readFile(models.path('ir_se'))).subarray(0, 50_000) },
    { name: 'cut by 7 bytes', bytes: async () => (await readFile(models.path('ir_se'))).subarray(0, -7) },
    { name: 'garbage', bytes: async () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251) },
    { name: 'empty', bytes: async () => new Uint8Array(0) },
    { name: 'JSON', bytes: async () => new TextEncoder().encode('{"modelTopology": {}}') },
  ])('$name file: OnnxFormatError', async ({ bytes }) => {
    const data = await bytes();
    expect(() => loadOnnx(data)).toThrow(OnnxFormatError);
    expect(() => loadOnnx(data)).toThrow(/ONNX model \(\d+ bytes\)/);
  });

  it('says when the file is a zip archive, as torch.save writes', () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array(60).fill(0)]);
    expect(() => loadOnnx(zip)).toThrow(/zip archive, as torch.save writes/);
  });
});
