/**
 * The model's numeric tests on the webgpu backend (Dawn on the software Vulkan driver, the GPU code path these
 * machines can run), against the same cases on wasm in this process. The webgpu side runs in a child process because
 * the driver's environment must exist before dawn.node loads.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { selectBackend } from '../../worker/tf/index.ts';
import { webgpuProcessEnv } from '../setup/global.d/vulkan.ts';
import { NUMERIC_CASES, type Numbers, runCases } from './numeric/cases.ts';

type CaseResults = Record<string, Numbers | { error: string }>;

function runChild(backend: string): Promise<{ backend: string; cases: CaseResults }> {
  const script = join(import.meta.dirname, 'numeric', 'child.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, backend], {
    env: webgpuProcessEnv(inject('vulkan')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`numeric child (${backend}) exited ${code}:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(last));
    });
  });
}

function relativeError(got: number[], want: number[]): number {
  const scale = Math.max(...want.map(Math.abs), 1e-6);
  return Math.max(...want.map((w, i) => Math.abs(got[i]! - w))) / scale;
}

let webgpu: { backend: string; cases: CaseResults };
let reference: CaseResults;

beforeAll(async () => {
  // The child computes while this process computes the reference: the two share the machine's cores.
  const child = runChild('webgpu');
  await selectBackend({ prefer: 'wasm', env: {} });
  reference = await runCases();
  webgpu = await child;
}, 600_000);

describe('model numerics on webgpu (Dawn + lavapipe) against wasm', () => {
  it('ran on webgpu', () => {
    expect(webgpu.backend).toBe('webgpu');
  });

  it.each(NUMERIC_CASES.map((c) => ({ name: c.name, c })))('$name', ({ c }) => {
    const got = webgpu.cases[c.name]!;
    const want = reference[c.name]!;
    expect('error' in want ? want.error : '').toBe('');
    expect('error' in got ? got.error : '').toBe('');
    const g = got as Numbers;
    const w = want as Numbers;
    expect(Object.keys(g).sort()).toEqual(Object.keys(w).sort());
    for (const key of Object.keys(w)) {
      expect(g[key], key).toHaveLength(w[key]!.length);
      expect(relativeError(g[key]!, w[key]!), key).toBeLessThanOrEqual(c.tolerance ?? 1e-4);
    }
    c.check?.(w);
    c.check?.(g);
  });
});
