/**
 * The data-plane dashboards against a real worker: `id3 worker generate` on a tiny model (test/runner's fixtures),
 * its /metrics read while it samples. Every `id3_worker_*` metric a dashboard or an alert queries must be on it — but
 * the storage error counter, which only appears once a storage operation has failed — and `promtool check metrics`
 * must pass on it. prometheus.test.ts covers the rest with workers held mid-stage; this one checks that what they
 * record is what the real stages record.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO } from '../../scripts/chart-render.ts';
import { freePort, httpGet } from '../helm/install.ts';
import { datasetManifest, type TinyWorld, tinyWorld } from '../runner/fixtures.ts';
import { PROM_CLIENT_LINT, promtool, sampleNames } from './prometheus.ts';
import { alertQueries, dashboardQueries, metricNames, substitute } from './promql.ts';

/** Labelled by operation, so absent until a storage operation fails after its retries. */
const ONLY_ON_FAILURE = ['id3_worker_storage_errors_total'];

let dir: string;
let world: TinyWorld;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'id3-real-worker-'));
  world = await tinyWorld(join(dir, 'world'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function id3(args: string[]): { exited: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'id3.js'), ...args], {
    cwd: dir,
    env: { ...process.env, ID3_LOG_LEVEL: 'warn', ID3_LOG_FORMAT: 'json' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, out }))) };
}

it('exposes every worker metric the dashboards and alerts query while it generates', async () => {
  const job = datasetManifest(join(dir, 'job.yaml'), world, {
    name: 'metrics',
    out: join(dir, 'out'),
    shards: 1,
    spec: { identities: 12, imagesPerIdentity: 4 },
  });
  const plan = await id3(['worker', 'plan', '--job', job]).exited;
  expect(plan.code, plan.out).toBe(0);
  const port = await freePort();
  const run = id3(['worker', 'generate', '--job', job, '--metrics-port', String(port)]);
  let done = false;
  void run.exited.then(() => {
    done = true;
  });
  // The last exposition taken after the first committed images: the stage's metrics at their fullest.
  let last = '';
  while (!done) {
    const r = await httpGet(`http://127.0.0.1:${port}/metrics`);
    if (r.status === 200 && /^id3_worker_images_generated_total\{[^}]*\} [1-9]/m.test(r.body)) last = r.body;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const result = await run.exited;
  expect(result.code, result.out).toBe(0);
  expect(last, 'no /metrics read after the first images were committed').not.toBe('');
  const wanted = [...dashboardQueries(), ...alertQueries()]
    .flatMap((q) => metricNames(substitute(q.expr, {})))
    .filter((n) => n.startsWith('id3_worker_') && !ONLY_ON_FAILURE.includes(n));
  const exposed = sampleNames(last);
  expect([...new Set(wanted)].filter((n) => !exposed.has(n)).sort()).toEqual([]);
  expect(last).toMatch(/^id3_worker_task_info\{[^}]*backend="[a-z-]+"[^}]*\} 1$/m);
  const lint = await promtool(['check', 'metrics'], { input: last });
  expect(lint.output.trim().split('\n').filter(Boolean).sort()).toEqual(PROM_CLIENT_LINT('id3_worker_').sort());
}, 180_000);
