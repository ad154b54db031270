/**
 * Networks exported by the real PyTorch exporter (torch.onnx.export, Debian's PyTorch 1.13) import and run: IR-SE
 * at opsets 11, 13 and 17 (a dynamic batch, so its x.view(x.size(0), -1) stays a Shape → Reshape chain) and
 * MobileFaceNet. Outputs equal ONNX Runtime's and PyTorch's own; gradients equal finite differences.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOnnx } from '../../worker/encoder/onnx/index.ts';
import { selectBackend } from '../../worker/tf/backend.ts';
import { writeOnnxModels } from '../fixtures/onnx/models.ts';

const models = await writeOnnxModels('torch_export.py');
afterAll(() => models.remove());
beforeAll(() => selectBackend({ prefer: 'wasm' }));

const floats = async (path: string) => new Float32Array(Uint8Array.from(await readFile(path)).buffer);
const relativeError = (got: ArrayLike<number>, want: ArrayLike<number>) =>
  Math.max(...Array.from(want, (w, i) => Math.abs(got[i]! - w))) / Math.max(...Array.from(want, Math.abs));

describe.each(['ir_se_torch_opset11', 'ir_se_torch_opset13', 'ir_se_torch_opset17', 'mobilefacenet_torch_opset13'])(
  '%s',
  (name) => {
    it('equals ONNX Runtime and PyTorch on the exported batch', async () => {
      const bytes = await readFile(models.path(name));
      const input = await floats(models.path(name).replace(/\.onnx$/, '.input.bin'));
      const torchOut = await floats(models.path(name).replace(/\.onnx$/, '.output.bin'));
      const session = await ort.InferenceSession.create(bytes);
      const ortOut = (await session.run({ input: new ort.Tensor('float32', input, [2, 3, 112, 112]) })).embedding!
        .data as Float32Array;
      await session.release();
      const program = loadOnnx(bytes);
      const got = tf.tidy(() => program.run([tf.tensor4d(input, [2, 3, 112, 112])])[0]!.dataSync());
      program.dispose();
      expect(got).toHaveLength(2 * 64);
      expect(relativeError(got, ortOut)).toBeLessThan(1e-4);
      expect(relativeError(got, torchOut)).toBeLessThan(1e-4);
    });
  },
);

it('ir_se_torch_opset17: d⟨y, f(x)⟩/dx equals finite differences', async () => {
  const program = loadOnnx(await readFile(models.path('ir_se_torch_opset17')));
  const x = tf.randomUniform([1, 3, 112, 112], -1, 1, 'float32', 3);
  const y = tf.randomNormal([1, 64], 0, 1, 'float32', 4);
  const f = (input: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(program.run([input])[0]!, y)));
  const g = tf.grad(f)(x).dataSync();
  const scale = Math.max(...Array.from(g, Math.abs));
  const data = x.dataSync();
  const at = (i: number, d: number) => {
    const moved = Float32Array.from(data);
    moved[i]! += d;
    return f(tf.tensor(moved, x.shape)).dataSync()[0]!;
  };
  const largest = Array.from(g.keys())
    .sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!))
    .slice(0, 3);
  for (const i of [...largest, 4321]) {
    const fd = (at(i, 3e-3) - at(i, -3e-3)) / 6e-3;
    expect(Math.abs(fd - g[i]!) / scale).toBeLessThan(1e-2);
  }
  program.dispose();
});
