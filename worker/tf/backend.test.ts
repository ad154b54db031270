import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type BackendOptions, parseBackendRequest, selectBackend } from './backend.ts';
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

  it('rejects unknown names', () => {
    expect(parseBackendRequest(' WASM ')).toBe('wasm');
    expect(() => parseBackendRequest('cuda')).toThrow(/unknown backend/);
  });
});
