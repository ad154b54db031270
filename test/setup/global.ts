/**
 * vitest globalSetup: starts the real servers the tests share (one per test run, not per file). Each concern drops a
 * module in test/setup/global.d/ whose default export starts its server, publishes connection details with
 * `provide`, and returns a teardown. Modules run in file-name order; teardowns run in reverse.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';

export type GlobalSetupModule = (project: TestProject) => Promise<(() => Promise<void>) | undefined>;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = join(import.meta.dirname, 'global.d');
  const teardowns: (() => Promise<void>)[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as { default: GlobalSetupModule };
    const teardown = await mod.default(project);
    if (teardown) teardowns.push(teardown);
  }
  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
