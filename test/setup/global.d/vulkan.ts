/**
 * Prepares the software Vulkan driver (test/setup/vulkan.sh: Mesa 25 lavapipe unpacked into a cache folder) and provides
 * the environment a webgpu process needs as `inject('vulkan')`. The variables must be set before a process loads
 * dawn.node, so tests pass them to a child process (test/model/webgpu.test.ts); this process is left untouched. A driver
 * that cannot be prepared fails the run: the webgpu tests never skip.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export interface VulkanEnv {
  VK_ICD_FILENAMES: string;
  /** Folder to prepend to LD_LIBRARY_PATH. */
  LD_LIBRARY_PATH: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    vulkan: VulkanEnv;
  }
}

/** Runs vulkan.sh (downloads once, then only checks) and parses the environment it prints. */
export function prepareVulkan(): VulkanEnv {
  const out = execFileSync('bash', [join(import.meta.dirname, '..', 'vulkan.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = Object.fromEntries(
    out
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  if (!env.VK_ICD_FILENAMES || !env.LD_LIBRARY_PATH) throw new Error(`vulkan.sh printed no environment:\n${out}`);
  return { VK_ICD_FILENAMES: env.VK_ICD_FILENAMES, LD_LIBRARY_PATH: env.LD_LIBRARY_PATH };
}

/** The environment of a child process that runs webgpu on the software driver. */
export function webgpuProcessEnv(vk: VulkanEnv, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const ld = base.LD_LIBRARY_PATH ? `${vk.LD_LIBRARY_PATH}:${base.LD_LIBRARY_PATH}` : vk.LD_LIBRARY_PATH;
  return { ...base, VK_ICD_FILENAMES: vk.VK_ICD_FILENAMES, LD_LIBRARY_PATH: ld };
}

export default async function setup(project: TestProject): Promise<undefined> {
  project.provide('vulkan', prepareVulkan());
  return undefined;
}
