import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository root: the CLI runs from there, as a user runs `npx id3` in a clone. */
export const root = join(import.meta.dirname, '..', '..');

/** Runs `id3 ARGS…` to completion without colours: its exit code, its stdout, and stdout and stderr together. */
export function id3(...args: string[]): { code: number | null; stdout: string; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'id3.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, out: r.stdout + r.stderr };
}
