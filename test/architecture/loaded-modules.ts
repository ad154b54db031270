import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');

/**
 * The packages (node_modules names) that importing `entry` loads in a fresh Node process with tsx, by the ESM loader
 * (every import, resolved) and by require() (packages loaded as CommonJS, with their own requires).
 */
export function packagesLoadedBy(entry: string): string[] {
  const script = `
    import { register, createRequire } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const urls = new Set();
    port1.on('message', (u) => urls.add(u));
    port1.unref();
    register(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'record-loads.mjs')).href)}, import.meta.url, {
      data: { port: port2 }, transferList: [port2] });
    await import(${JSON.stringify(pathToFileURL(join(root, entry)).href)});
    await new Promise((r) => setTimeout(r, 200));
    for (const p of Object.keys(createRequire(import.meta.url).cache)) urls.add('file://' + p);
    process.stdout.write(JSON.stringify([...urls]));
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (r.status !== 0) throw new Error(`importing ${entry} failed: ${r.stderr}`);
  const packages = new Set<string>();
  for (const url of JSON.parse(r.stdout) as string[]) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m) packages.add(m[1]!);
  }
  return [...packages].sort();
}
