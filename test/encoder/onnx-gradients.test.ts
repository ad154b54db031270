/**
 * Gradients through imported ONNX graphs equal finite differences. ID³'s loss and its guided sampler back-propagate
 * through the encoder, and tfjs's own gradient kernels are not all right (MirrorPad everywhere; AvgPool with
 * excluded padding; MaxPool on wasm), so every operator case is differentiated, on both backends, and so are the
 * three network shapes through the encoder.
 *
 * Finite differences run in float32: a central difference with step h carries the forward pass's rounding noise
 * divided by h, and a step that crosses a ReLU or max-pooling kink measures a mix of two slopes. Measured on these
 * networks (wasm), relative to the largest gradient entry: up to 2 % at h = 1e-3 (noise), up to 2 % at h = 1e-2
 * (kinks), at most 0.3 % at h = 3e-3, which is used, with a tolerance of 1 %; a wrong gradient misses by its own size. The checked pixels of a network are those with
 * the largest gradients, plus two fixed ones.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOnnx, onnxEncoder } from '../../worker/encoder/onnx/index.ts';
import type { IdentityEncoder } from '../../worker/encoder/types.ts';
import { selectBackend } from '../../worker/tf/backend.ts';
import { writeOnnxModels } from '../fixtures/onnx/models.ts';

const models = await writeOnnxModels();
const opCases = await models.list('ops');
const NETS = ['ir_se', 'mobilefacenet', 'export_opset13'];

afterAll(() => models.remove());

/** Central difference of f at flat index i of x, with the other inputs fixed. */
function centralDifference(f: (x: tf.Tensor) => number, x: tf.Tensor, i: number, h: number): number {
  const data = Float32Array.from(x.dataSync());
  const at = (d: number) => {
    const moved = Float32Array.from(data);
    moved[i]! += d;
    return tf.tidy(() => f(tf.tensor(moved, x.shape)));
  };
  return (at(h) - at(-h)) / (2 * h);
}

/** max over the indices of |finite difference − gradient|, relative to the gradient's largest entry. */
function worstError(f: (x: tf.Tensor) => number, x: tf.Tensor, grad: tf.Tensor, indices: number[], h: number) {
  const g = grad.dataSync();
  const scale = Math.max(...Array.from(g, Math.abs));
  return Math.max(...indices.map((i) => Math.abs(centralDifference(f, x, i, h) - g[i]!) / scale));
}

describe.each(['cpu', 'wasm'] as const)('gradients on the %s backend', (backend) => {
  it.each(opCases)('%s: d⟨w, y⟩/dx equals finite differences', async (name) => {
    await selectBackend({ prefer: backend });
    const program = loadOnnx(await readFile(models.path(name)));
    const shapes = program.graph.inputs.map((info) => info.dims!.map((d, i) => d ?? (i === 0 ? 2 : 3)));
    const xs = shapes.map((s, k) => tf.randomNormal(s, 0, 1, 'float32', 5 + k));
    const w = tf.tidy(() => tf.randomNormal(program.run(xs)[0]!.shape, 0, 1, 'float32', 99));
    const objective = (...inputs: tf.Tensor[]) => tf.tidy(() => tf.sum(tf.mul(program.run(inputs)[0]!, w)));
    const grads = tf.grads(objective)(xs);
    xs.forEach((x, k) => {
      const f = (moved: tf.Tensor) => objective(...xs.map((other, j) => (j === k ? moved : other))).dataSync()[0]!;
      const every = Math.max(1, Math.floor(x.size / 40));
      const indices = Array.from({ length: Math.ceil(x.size / every) }, (_, i) => i * every);
      expect(worstError(f, x, grads[k]!, indices, 1e-2)).toBeLessThan(1e-2);
    });
    tf.dispose([...xs, ...grads, w]);
    program.dispose();
  });
});

describe.each(NETS)('%s through the encoder', (name) => {
  const encoders: Partial<Record<'cpu' | 'wasm', IdentityEncoder>> = {};
  const grads: Partial<Record<'cpu' | 'wasm', Float32Array>> = {};
  afterAll(() => {
    for (const e of Object.values(encoders)) e.dispose();
  });

  async function gradientOn(backend: 'cpu' | 'wasm') {
    await selectBackend({ prefer: backend });
    const encoder = onnxEncoder(await readFile(models.path(name)));
    encoders[backend] = encoder;
    const { inputSize: s, embeddingSize } = encoder.info;
    const x = tf.randomUniform([1, s, s, 3], -1, 1, 'float32', 3);
    const y = tf.randomNormal([1, embeddingSize], 0, 1, 'float32', 4);
    const f = (images: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(encoder.embed(images as tf.Tensor4D), y)));
    const grad = tf.grad(f)(x);
    grads[backend] = grad.dataSync() as Float32Array;
    return { x, grad, f: (images: tf.Tensor) => f(images).dataSync()[0]! };
  }

  it('wasm: d⟨y, f(x)⟩/dx equals finite differences at the pixels that matter most', async () => {
    const { x, grad, f } = await gradientOn('wasm');
    const g = grad.dataSync();
    const largest = Array.from(g.keys())
      .sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!))
      .slice(0, 3);
    expect(worstError(f, x, grad, [...largest, 1234, x.size - 777], 3e-3)).toBeLessThan(1e-2);
    tf.dispose([x, grad]);
  });

  it('cpu: the same gradient over the whole image', async () => {
    const { x, grad } = await gradientOn('cpu');
    const [cpu, wasm] = [grads.cpu!, grads.wasm!];
    const scale = Math.max(...Array.from(cpu, Math.abs));
    expect(Math.max(...Array.from(cpu, (v, i) => Math.abs(v - wasm[i]!))) / scale).toBeLessThan(1e-4);
    tf.dispose([x, grad]);
  });
});
