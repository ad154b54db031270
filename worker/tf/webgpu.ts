/**
 * The webgpu backend in Node: Dawn's Node bindings (npm `webgpu`, whose prebuilt dawn.node runs on Vulkan) under
 * @tensorflow/tfjs-backend-webgpu. The backend package registers itself only if `navigator.gpu` exists when it is first
 * imported, so the GPU object and the WebGPU globals (GPUBufferUsage, …) are installed before that import.
 *
 * Dawn finds its Vulkan driver through the loader's usual variables (VK_ICD_FILENAMES, LD_LIBRARY_PATH), read when
 * dawn.node loads: they must be in the environment of the process before it starts (see test/setup/vulkan.sh for the
 * software driver used on CPU-only machines).
 */

export interface WebGpuOptions {
  /** Dawn toggles passed to create(), e.g. ['enable-dawn-features=allow_unsafe_apis']. */
  dawnFlags?: string[];
}

interface DawnModule {
  create(flags: string[]): unknown;
  globals: Record<string, unknown>;
}

/** Installs navigator.gpu from Dawn and imports the tfjs webgpu backend; idempotent. */
export async function loadWebGpu(
  opts: WebGpuOptions = {},
  importModule: (specifier: string) => Promise<unknown> = (s) => import(s),
): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    const dawn = (await importModule('webgpu')) as DawnModule;
    Object.assign(globalThis, dawn.globals);
    // Node ≥ 21 defines a read-only navigator getter; redefine the property rather than assign to it.
    Object.defineProperty(globalThis, 'navigator', {
      value: { ...(g.navigator ?? {}), gpu: dawn.create(opts.dawnFlags ?? []) },
      configurable: true,
      writable: true,
    });
  }
  await importModule('@tensorflow/tfjs-backend-webgpu');
}
