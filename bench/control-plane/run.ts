/**
 * Control-plane benchmark: the operator (as its own process, `id3 operator`) against the API emulator, N
 * SyntheticDatasetJobs of S shards each, workers replaced by a no-op command. Measures the time from apply to every
 * job's plan Job created and to every job Succeeded (all stage Jobs created and done), reconciles per second, API
 * requests per job (from the operator's own metrics), and the operator's peak resident memory.
 *
 *   npx tsx bench/control-plane/run.ts --jobs 200 --shards 50
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startCluster } from '../../test/kube/harness.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    shards: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '8' },
  },
});
const JOBS = Number(values.jobs);
const SHARDS = Number(values.shards);
const root = join(import.meta.dirname, '..', '..');

const cluster = await startCluster({ images: { 'noop:1': { entrypoint: ['true'] } } });
const dir = mkdtempSync(join(tmpdir(), 'id3-cp-bench-'));
const crd = await cluster.kubectl(['apply', '-f', join(root, 'crds')]);
if (crd.code !== 0) throw new Error(crd.stderr);
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, cluster.sim.kubeconfig());

const operator = spawn(
  process.execPath,
  [
    join(root, 'bin', 'id3.js'),
    'operator',
    '--kubeconfig',
    kubeconfig,
    '--worker-image',
    'noop:1',
    '--concurrency',
    values.concurrency!,
    '--metrics-bind-address',
    '127.0.0.1:18088',
    '--no-leader-elect',
    '--log-level',
    'warn',
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
let peakRss = 0;
const sampler = setInterval(() => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${operator.pid}/status`, 'utf8'))?.[1] ?? 0);
    peakRss = Math.max(peakRss, kb * 1024);
  } catch {
    // the process has exited
  }
}, 200);
await waitFor(async () => (await fetch('http://127.0.0.1:18088/readyz').catch(() => undefined))?.ok === true);

const kc = cluster.kubeConfig();
const custom = kc.makeApiClient(CustomObjectsApi);
const batch = kc.makeApiClient(BatchV1Api);
const t0 = performance.now();
for (let i = 0; i < JOBS; i++) {
  await custom.createNamespacedCustomObject({
    group: 'id3.sfr.dev',
    version: 'v1alpha1',
    namespace: 'default',
    plural: 'syntheticdatasetjobs',
    body: {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'SyntheticDatasetJob',
      metadata: { name: `bench-${i}` },
      spec: {
        model: { checkpointURI: 's3://models/none' },
        identities: SHARDS,
        imagesPerIdentity: 1,
        seed: i,
        sharding: { shards: SHARDS, parallelism: SHARDS },
        output: { uri: `${dir}/out/${i}`, identitiesPerTar: 1 },
        resources: { gpus: 0 },
      },
    },
  });
}
const applied = performance.now() - t0;
await waitFor(
  async () =>
    (await batch.listNamespacedJob({ namespace: 'default', labelSelector: 'id3.sfr.dev/stage=plan' })).items.length ===
    JOBS,
);
const planCreated = performance.now() - t0;
await waitFor(async () => {
  const list = (await custom.listNamespacedCustomObject({
    group: 'id3.sfr.dev',
    version: 'v1alpha1',
    namespace: 'default',
    plural: 'syntheticdatasetjobs',
  })) as { items: { status?: { phase?: string } }[] };
  return list.items.filter((j) => j.status?.phase === 'Succeeded').length === JOBS;
}, 1_800_000);
const allDone = performance.now() - t0;
const metrics = await (await fetch('http://127.0.0.1:18088/metrics')).text();
const sum = (name: string) =>
  metrics
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
const reconciles = sum('controller_runtime_reconcile_total{');
const requests = sum('id3_operator_api_requests_total{');
clearInterval(sampler);
// The operator first, and waited for: its informers would otherwise log the emulator's shutdown as dropped watches.
const exited =
  operator.exitCode === null && operator.signalCode === null
    ? new Promise((resolve) => operator.once('exit', resolve))
    : Promise.resolve();
operator.kill('SIGTERM');
await exited;
await cluster.stop();

const result = {
  jobs: JOBS,
  shardsPerJob: SHARDS,
  podsRun: JOBS * (SHARDS + 2),
  applySeconds: round(applied / 1000),
  allPlanJobsCreatedSeconds: round(planCreated / 1000),
  allJobsSucceededSeconds: round(allDone / 1000),
  reconciles,
  reconcilesPerSecond: round(reconciles / (allDone / 1000)),
  apiRequestsPerJob: round(requests / JOBS),
  operatorPeakRssMiB: round(peakRss / 2 ** 20),
};
console.log(JSON.stringify(result, null, 2));

async function waitFor(fn: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
