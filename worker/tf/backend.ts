/**
 * Picks the TensorFlow.js backend a worker computes with: the first that loads of tfjs-node-gpu, tfjs-node, wasm and
 * cpu, or the one named by the caller or by ID3_TF_BACKEND. The native packages are optional dependencies that may be
 * absent, so they are imported inside try/catch; a backend named explicitly must load, or this throws (a worker asked
 * for a GPU must never quietly run on a CPU). The choice, and why the better ones were skipped, is returned so the
 * caller can log it.
 */
import * as tf from '@tensorflow/tfjs';
import { registerConvGradKernels } from './conv-grad-kernels.ts';
import { BackendUnavailableError } from './errors.ts';
import { registerWasmKernels } from './wasm-kernels.ts';
import { loadWebGpu, type WebGpuOptions } from './webgpu.ts';

/** Backends by the names the project uses (CLI flags, ID3_TF_BACKEND, logs, benchmark tables). */
export const BACKENDS = ['node-gpu', 'node', 'wasm', 'webgpu', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

/** The automatic order: fastest first. webgpu is used only on request (Dawn on a real GPU is still young). */
export const AUTO_ORDER: readonly BackendName[] = ['node-gpu', 'node', 'wasm', 'cpu'];

export const BACKEND_ENV = 'ID3_TF_BACKEND';

export interface BackendOptions {
  /** Explicit choice (a CLI flag or config value); wins over the environment. */
  prefer?: BackendRequest;
  /** Environment to read ID3_TF_BACKEND from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Module loader, replaceable in tests; dynamic import() by default. */
  importModule?: (specifier: string) => Promise<unknown>;
  webgpu?: WebGpuOptions;
}

export interface BackendChoice {
  /** The backend in use, by the project's name. */
  name: BackendName;
  /** The name tfjs knows it by (tf.getBackend()). */
  tfName: string;
  /** What was asked for and where the request came from. */
  requested: BackendRequest;
  source: 'option' | 'env' | 'default';
  /** Better backends that failed to load, with the reason, in the order tried. */
  skipped: { name: BackendName; reason: string }[];
  /** Gradient kernels this module registered on the chosen backend. */
  kernels: string[];
}

export function parseBackendRequest(value: string): BackendRequest {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKENDS as readonly string[]).includes(v)) return v as BackendRequest;
  throw new BackendUnavailableError(
    v as BackendName,
    `unknown backend "${value}"; expected one of auto, ${BACKENDS.join(', ')}`,
  );
}

function resolveRequest(opts: BackendOptions): Pick<BackendChoice, 'requested' | 'source'> {
  if (opts.prefer) return { requested: opts.prefer, source: 'option' };
  const fromEnv = (opts.env ?? process.env)[BACKEND_ENV];
  if (fromEnv?.trim()) return { requested: parseBackendRequest(fromEnv), source: 'env' };
  return { requested: 'auto', source: 'default' };
}

/** Loads and activates one backend; returns tfjs' name for it and the kernels registered. Throws when unavailable. */
async function activate(name: BackendName, opts: BackendOptions): Promise<{ tfName: string; kernels: string[] }> {
  const importModule = opts.importModule ?? ((s: string) => import(s));
  switch (name) {
    case 'node-gpu':
    case 'node': {
      // Both packages register the same backend name, 'tensorflow'; only one can be installed in an image.
      await importModule(name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      await setOrThrow(name, 'tensorflow');
      return { tfName: 'tensorflow', kernels: [] };
    }
    case 'wasm': {
      await importModule('@tensorflow/tfjs-backend-wasm');
      await setOrThrow(name, 'wasm');
      return { tfName: 'wasm', kernels: [...registerConvGradKernels('wasm'), ...registerWasmKernels()] };
    }
    case 'webgpu': {
      await loadWebGpu(opts.webgpu, importModule);
      await setOrThrow(name, 'webgpu');
      return { tfName: 'webgpu', kernels: [] };
    }
    case 'cpu': {
      await setOrThrow(name, 'cpu');
      // Its own filter gradient is a scalar loop hundreds of times slower than the forward convolution.
      return { tfName: 'cpu', kernels: registerConvGradKernels('cpu', ['Conv2DBackpropFilter']) };
    }
  }
}

async function setOrThrow(name: BackendName, tfName: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(tfName);
    await tf.ready();
  } catch (err) {
    throw new BackendUnavailableError(name, `tf.setBackend('${tfName}') failed`, { cause: err });
  }
  // setBackend resolves false when a registered backend fails to initialise (no adapter, no wasm binary, ...).
  if (!ok || tf.getBackend() !== tfName) {
    throw new BackendUnavailableError(name, `tf.setBackend('${tfName}') returned false: the backend did not start`);
  }
}

/**
 * Selects and activates the backend. With 'auto', walks AUTO_ORDER and takes the first that starts; with a name, that
 * backend or a BackendUnavailableError.
 */
export async function selectBackend(opts: BackendOptions = {}): Promise<BackendChoice> {
  const { requested, source } = resolveRequest(opts);
  // The chosen backend is logged by the caller; tfjs's own console advice ("install the node backend") is noise in
  // worker logs, and PROD is how tfjs is told to keep it quiet.
  tf.env().set('PROD', true);
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: BackendChoice['skipped'] = [];
  for (const name of candidates) {
    try {
      const { tfName, kernels } = await activate(name, opts);
      return { name, tfName, requested, source, skipped, kernels };
    } catch (err) {
      if (requested !== 'auto') {
        throw err instanceof BackendUnavailableError
          ? err
          : new BackendUnavailableError(name, 'failed to load', { cause: err });
      }
      skipped.push({ name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new BackendUnavailableError(
    'cpu',
    `no backend started: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
  );
}
