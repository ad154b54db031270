import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../api/index.ts';
import { type BackendOptions, computeInfo, parseBackendRequest, selectBackend } from './backend.ts';
import { BackendUnavailableError } from './errors.ts';

/** The real loader, except that the native packages are missing (as on this machine, and on any CPU image). */
const withoutNative: BackendOptions['importModule'] = async (specifier) => {
  if (specifier.startsWith('@tensorflow/tfjs-node')) throw new Error(`Cannot find package '${specifier}'`);
  return import(specifier);
};

describe('selectBackend', () => {
  it.each([
    {
      name: 'auto walks past the missing native packages to wasm',
      given: {},
      want: { name: 'wasm', source: 'default' },
    },
    {
      name: 'the environment picks cpu',
      given: { env: { ID3_TF_BACKEND: 'cpu' } },
      want: { name: 'cpu', source: 'env' },
    },
    {
      name: 'an explicit option wins over the environment',
      given: { prefer: 'wasm' as const, env: { ID3_TF_BACKEND: 'cpu' } },
      want: { name: 'wasm', source: 'option' },
    },
  ])('$name', async ({ given, want }) => {
    const choice = await selectBackend({ env: {}, importModule: withoutNative, ...given });
    expect({ name: choice.name, source: choice.source }).toEqual(want);
    expect(tf.getBackend()).toBe(choice.tfName);
  });

  it('says why it skipped the better backends', async () => {
    const choice = await selectBackend({ env: {}, importModule: withoutNative });
    expect(choice.skipped.map((s) => s.name)).toEqual(['node-gpu', 'node']);
    expect(choice.skipped[0]!.reason).toMatch(/tfjs-node-gpu/);
    expect(choice.kernels).toContain('Conv2DBackpropFilter');
  });

  it('prefers tfjs-node when its package loads (here a stand-in that registers the same backend name)', async () => {
    const withNode: BackendOptions['importModule'] = async (specifier) => {
      if (specifier === '@tensorflow/tfjs-node-gpu') throw new Error(`Cannot find package '${specifier}'`);
      if (specifier === '@tensorflow/tfjs-node') {
        // What the real package does on import: register the 'tensorflow' backend.
        const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
        if (!tf.findBackendFactory('tensorflow')) tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
        return {};
      }
      return import(specifier);
    };
    const choice = await selectBackend({ env: {}, importModule: withNode });
    expect(choice).toMatchObject({ name: 'node', tfName: 'tensorflow', skipped: [{ name: 'node-gpu' }] });
    expect(tf.getBackend()).toBe('tensorflow');
    tf.removeBackend('tensorflow');
  });

  it('fails, never falls back, when the named backend cannot load', async () => {
    const err = await selectBackend({ prefer: 'node-gpu', env: {}, importModule: withoutNative }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.backend).toBe('node-gpu');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('on a worker given GPUs, takes only a GPU backend under auto, or fails saying what failed: never the CPU', async () => {
    const noGpu: BackendOptions['importModule'] = async (specifier) => {
      if (specifier.startsWith('@tensorflow/tfjs-node')) throw new Error(`Cannot find package '${specifier}'`);
      if (specifier === 'webgpu') throw new Error('dawn.node: no Vulkan driver');
      return import(specifier);
    };
    const err = await selectBackend({ env: { ID3_GPUS: '2' }, importModule: noGpu }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toContain('given 2 GPU(s) but no GPU backend started');
    expect(err.message).toContain("node-gpu: Cannot find package '@tensorflow/tfjs-node-gpu'");
    expect(err.message).toContain('webgpu: dawn.node: no Vulkan driver');
    expect(exitCodeFor(err)).toBe(1);
  });

  it.each([
    { using: false, want: /sees no GPU device/ },
    { using: true, want: undefined },
  ])('trusts tfjs-node-gpu only when it reports a GPU device (isUsingGpuDevice: $using)', async ({ using, want }) => {
    const gpuPackage: BackendOptions['importModule'] = async (specifier) => {
      if (specifier === '@tensorflow/tfjs-node-gpu') {
        const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
        class Stand extends MathBackendCPU {
          readonly isGPUPackage = true;
          readonly isUsingGpuDevice = using;
        }
        if (!tf.findBackendFactory('tensorflow')) tf.registerBackend('tensorflow', () => new Stand(), 1);
        return {};
      }
      if (specifier === 'webgpu') throw new Error('no Dawn in this image');
      return import(specifier);
    };
    const result = await selectBackend({ env: { ID3_GPUS: '1' }, importModule: gpuPackage }).catch((e: Error) => e);
    tf.removeBackend('tensorflow');
    if (want) {
      expect(result).toBeInstanceOf(BackendUnavailableError);
      expect((result as Error).message).toMatch(want);
    } else expect(result).toMatchObject({ name: 'node-gpu', device: 'cuda (libtensorflow)' });
  });

  it('records what computed: backend, device and library versions', async () => {
    const choice = await selectBackend({ prefer: 'wasm', env: {}, importModule: withoutNative });
    const info = computeInfo(choice);
    expect(info).toMatchObject({ backend: 'wasm', device: 'cpu (wasm simd)' });
    expect(info.versions['tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.node).toBe(process.versions.node);
  });

  it('rejects unknown names', () => {
    expect(parseBackendRequest(' WASM ')).toBe('wasm');
    expect(() => parseBackendRequest('cuda')).toThrow(/unknown backend/);
  });
});
