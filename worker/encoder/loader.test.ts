import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModelFiles, storeModelFiles } from '../../io/models/index.ts';
import { openStore } from '../../io/storage/index.ts';
import { buildIrNet, type IrNetConfig } from '../recognition/index.ts';
import { EncoderLoadError, type EncoderSpec, loadEncoder, saveLayersModel } from './loader.ts';

const net: IrNetConfig = {
  inputSize: 16,
  embeddingSize: 8,
  stem: 4,
  stemStride: 1,
  stages: [8, 8],
  units: [1, 1],
  dropout: 0,
};
const files = localModelFiles();
let dir: string;
let spec: EncoderSpec;
let model: tf.LayersModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'encoder-'));
  model = buildIrNet(net, 3);
  await saveLayersModel(model, join(dir, 'tiny', 'model.json'), files, { note: 'test' });
  spec = {
    uri: join(dir, 'tiny', 'model.json'),
    format: 'layers',
    inputSize: 16,
    embeddingSize: 8,
    channelOrder: 'RGB',
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const images = (n: number, size: number) => tf.randomUniform([n, size, size, 3], -1, 1, 'float32', 9) as tf.Tensor4D;

/**
 * A graph model as tfjs-converter writes one (a TF GraphDef in JSON plus a weights manifest): flatten the image and
 * multiply by a constant matrix. Enough to drive the graph path: load, execute, differentiate.
 */
async function writeGraphModel(folder: string): Promise<Float32Array> {
  const dim = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
  const w = Float32Array.from({ length: 768 * 8 }, (_, i) => Math.sin(i));
  const json = {
    format: 'graph-model',
    generatedBy: 'hand-written for a test',
    convertedBy: null,
    modelTopology: {
      node: [
        {
          name: 'image',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(-1, 16, 16, 3) } },
        },
        {
          name: 'flat_shape',
          op: 'Const',
          attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dim(2) } }, dtype: { type: 'DT_INT32' } },
        },
        {
          name: 'w',
          op: 'Const',
          attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(768, 8) } }, dtype: { type: 'DT_FLOAT' } },
        },
        { name: 'flat', op: 'Reshape', input: ['image', 'flat_shape'], attr: { T: { type: 'DT_FLOAT' } } },
        {
          name: 'embedding',
          op: 'MatMul',
          input: ['flat', 'w'],
          attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
        },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'flat_shape', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [768, 8], dtype: 'float32' },
        ],
      },
    ],
  };
  const shape = new Uint8Array(Int32Array.from([-1, 768]).buffer);
  const bytes = new Uint8Array(shape.length + w.byteLength);
  bytes.set(shape, 0);
  bytes.set(new Uint8Array(w.buffer), shape.length);
  await files.write(join(folder, 'weights.bin'), bytes);
  await files.write(join(folder, 'model.json'), new TextEncoder().encode(JSON.stringify(json)));
  return w;
}

describe('loadEncoder', () => {
  it('loads a graph model, embeds like its graph, and differentiates through it', async () => {
    const w = await writeGraphModel(join(dir, 'graph'));
    const encoder = await loadEncoder({ ...spec, format: 'graph', uri: join(dir, 'graph', 'model.json') }, files);
    const x = images(2, 16);
    const raw = tf.matMul(x.reshape([2, 768]), tf.tensor2d(w, [768, 8]));
    const want = await raw.div(raw.norm('euclidean', 1, true)).data();
    const got = await encoder.embed(x).data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    const g = await tf
      .grad((v: tf.Tensor) => encoder.embed(v as tf.Tensor4D).sum())(x)
      .data();
    expect(g.every(Number.isFinite) && g.some((v) => v !== 0)).toBe(true);
    encoder.dispose();
  });

  it.each([
    { name: 'the model.json URI', uri: () => spec.uri },
    { name: 'its folder', uri: () => join(dir, 'tiny') },
    { name: 'a file:// URI', uri: () => `file://${spec.uri}` },
  ])('loads a saved layers model from $name and embeds like the original, L2-normalised', async ({ uri }) => {
    const encoder = await loadEncoder({ ...spec, uri: uri() }, files);
    const x = images(3, 16);
    const got = await encoder.embed(x).data();
    const raw = model.apply(x.add(1).mul(0.5).sub(0.5).div(0.5), { training: false }) as tf.Tensor2D;
    const want = await raw.div(raw.norm('euclidean', 1, true)).data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
    encoder.dispose();
  });

  it('loads through the storage layer the same way', async () => {
    const encoder = await loadEncoder(
      spec,
      storeModelFiles((root) => openStore(root)),
    );
    const viaFs = await loadEncoder(spec, files);
    const x = images(2, 16);
    expect(await encoder.embed(x).data()).toEqual(await viaFs.embed(x).data());
    encoder.dispose();
    viaFs.dispose();
  });

  it('resizes other picture sizes to its input size', async () => {
    const encoder = await loadEncoder(spec, files);
    expect(encoder.embed(images(2, 32)).shape).toEqual([2, 8]);
    encoder.dispose();
  });

  it('lets gradients flow from an embedding product back to the pixels', async () => {
    const encoder = await loadEncoder(spec, files);
    const y = tf.tensor2d([[1, 0, 0, 0, 0, 0, 0, 0]]);
    const g = await tf
      .grad((x: tf.Tensor) =>
        encoder
          .embed(x as tf.Tensor4D)
          .mul(y)
          .sum(),
      )(images(1, 16))
      .data();
    expect(g.every(Number.isFinite)).toBe(true);
    expect(g.some((v) => v !== 0)).toBe(true);
    encoder.dispose();
  });

  it.each([
    { name: 'a wrong embedding size', change: { embeddingSize: 16 }, message: /embeds to 8 values/ },
    { name: 'a missing model', change: { uri: '/nonexistent/model.json' }, message: /cannot read/ },
  ])('fails with EncoderLoadError on $name', async ({ change, message }) => {
    await expect(loadEncoder({ ...spec, ...change }, files)).rejects.toThrow(message);
    await expect(loadEncoder({ ...spec, ...change }, files)).rejects.toBeInstanceOf(EncoderLoadError);
  });

  it('fails with EncoderLoadError on a corrupt model.json', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"modelTopology": 7');
    await expect(loadEncoder({ ...spec, uri: bad }, files)).rejects.toBeInstanceOf(EncoderLoadError);
  });
});
