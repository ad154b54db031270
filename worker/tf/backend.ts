/**
 * Picks the TensorFlow.js backend a worker computes with: the first that loads of tfjs-node-gpu, tfjs-node, wasm and
 * cpu, or the one named by the caller or by ID3_TF_BACKEND. The native packages are optional dependencies that may be
 * absent, so they are imported inside try/catch; a backend named explicitly must load, or this throws. A process given
 * GPUs (ID3_GPUS > 0, set by the operator on GPU stages) takes only a GPU backend under `auto` — tfjs-node-gpu that
 * actually sees a device, else WebGPU through Dawn — or fails with what failed and why: a worker given a GPU never
 * quietly runs on a CPU. The choice, the device it computes on and the library versions are returned so the caller
 * can log, export and record them (numerics differ across backends).
 */
import * as tf from '@tensorflow/tfjs';
import { PermanentInputError } from '../../api/index.ts';
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
/** GPUs the process was given (the operator sets it on GPU stages): with `auto`, only a GPU backend will do. */
export const GPUS_ENV = 'ID3_GPUS';
/** The automatic order when the process has GPUs. */
export const GPU_ORDER: readonly BackendName[] = ['node-gpu', 'webgpu'];

export interface BackendOptions {
  /** Explicit choice (a CLI flag or config value); wins over the environment. */
  prefer?: BackendRequest;
  /** Environment to read ID3_TF_BACKEND and ID3_GPUS from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** GPUs this process was given; ID3_GPUS by default, 0 when unset. */
  gpus?: number;
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
  /** What computes: the GPU tfjs-node-gpu uses, the WebGPU adapter, or the CPU path. */
  device: string;
}

/** What a checkpoint or a dataset card records of the computation: numerics differ across backends and versions. */
export interface ComputeInfo {
  backend: BackendName;
  device: string;
  versions: Record<string, string>;
}

export function computeInfo(choice: BackendChoice): ComputeInfo {
  const versions: Record<string, string> = { node: process.versions.node };
  for (const [k, v] of Object.entries(tf.version)) if (typeof v === 'string') versions[k] = v;
  return { backend: choice.name, device: choice.device, versions };
}

export function parseBackendRequest(value: string): BackendRequest {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || (BACKENDS as readonly string[]).includes(v)) return v as BackendRequest;
  throw new PermanentInputError(`unknown backend "${value}"; expected one of auto, ${BACKENDS.join(', ')}`);
}

function resolveRequest(opts: BackendOptions): Pick<BackendChoice, 'requested' | 'source'> {
  if (opts.prefer) return { requested: opts.prefer, source: 'option' };
  const fromEnv = (opts.env ?? process.env)[BACKEND_ENV];
  if (fromEnv?.trim()) return { requested: parseBackendRequest(fromEnv), source: 'env' };
  return { requested: 'auto', source: 'default' };
}

type Activated = { tfName: string; kernels: string[]; device: string };

/** Loads and activates one backend; returns tfjs' name for it, the kernels registered and the device. */
async function activate(name: BackendName, opts: BackendOptions): Promise<Activated> {
  const importModule = opts.importModule ?? ((s: string) => import(s));
  switch (name) {
    case 'node-gpu':
    case 'node': {
      // Both packages register the same backend name, 'tensorflow'; only one can be installed in an image.
      await importModule(name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      await setOrThrow(name, 'tensorflow');
      return { tfName: 'tensorflow', kernels: [], device: nativeDevice(name) };
    }
    case 'wasm': {
      await importModule('@tensorflow/tfjs-backend-wasm');
      await setOrThrow(name, 'wasm');
      return {
        tfName: 'wasm',
        kernels: [...registerConvGradKernels('wasm'), ...registerWasmKernels()],
        device: 'cpu (wasm simd)',
      };
    }
    case 'webgpu': {
      await loadWebGpu(opts.webgpu, importModule);
      await setOrThrow(name, 'webgpu');
      return { tfName: 'webgpu', kernels: [], device: await webGpuAdapter() };
    }
    case 'cpu': {
      await setOrThrow(name, 'cpu');
      // Its own filter gradient is a scalar loop hundreds of times slower than the forward convolution.
      return {
        tfName: 'cpu',
        kernels: registerConvGradKernels('cpu', ['Conv2DBackpropFilter']),
        device: 'cpu (javascript)',
      };
    }
  }
}

/**
 * tfjs-node-gpu's own report of GPU use (its backend's isUsingGpuDevice): the GPU package loads and runs on the CPU
 * when TensorFlow finds no CUDA device, which must not pass for a GPU run.
 */
function nativeDevice(name: BackendName): string {
  const backend = tf.backend() as { isGPUPackage?: boolean; isUsingGpuDevice?: boolean };
  if (name === 'node') return 'cpu (libtensorflow)';
  if (!backend.isUsingGpuDevice)
    throw new BackendUnavailableError(
      name,
      'tfjs-node-gpu loaded but TensorFlow sees no GPU device: check that the pod was given one (nvidia.com/gpu), the ' +
        'NVIDIA driver and NVIDIA_VISIBLE_DEVICES, and that CUDA 11.2 / cuDNN 8 libraries are in the image',
    );
  return 'cuda (libtensorflow)';
}

/** The WebGPU adapter Dawn chose: vendor, architecture and description, as the adapter reports them. */
async function webGpuAdapter(): Promise<string> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  const adapter = (await gpu?.requestAdapter()) as { info?: Record<string, string> } | null | undefined;
  const info = adapter?.info ?? {};
  const words = [info.vendor, info.architecture, info.device, info.description].filter((w) => w && w.length > 0);
  return `webgpu: ${words.join(' ') || 'adapter without info'}`;
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
  const gpus = opts.gpus ?? gpusFromEnv(opts.env ?? process.env);
  const candidates = requested !== 'auto' ? [requested] : gpus > 0 ? GPU_ORDER : AUTO_ORDER;
  const skipped: BackendChoice['skipped'] = [];
  for (const name of candidates) {
    try {
      const { tfName, kernels, device } = await activate(name, opts);
      return { name, tfName, requested, source, skipped, kernels, device };
    } catch (err) {
      if (requested !== 'auto') {
        throw err instanceof BackendUnavailableError
          ? err
          : new BackendUnavailableError(name, 'failed to load', { cause: err });
      }
      skipped.push({ name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const tried = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  if (gpus > 0)
    throw new BackendUnavailableError(
      'auto',
      `this worker was given ${gpus} GPU(s) but no GPU backend started (${tried}); it will not run on the CPU instead`,
    );
  throw new BackendUnavailableError('cpu', `no backend started: ${tried}`);
}

function gpusFromEnv(env: Record<string, string | undefined>): number {
  const n = Number.parseInt(env[GPUS_ENV] ?? '0', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
