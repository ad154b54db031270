import { CustomObjectsApi } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRDS } from '../../api/index.ts';
import { Controller } from '../../operator/controller.ts';
import { OperatorMetrics } from '../../operator/metrics.ts';
import { datasetJob } from '../builders.ts';
import { startCluster, type TestCluster } from '../kube/harness.ts';

/**
 * The control plane alone, on the API emulator: workers are replaced by a command that exits 0, so this checks the
 * reconcile loop (stage chain, status, events) without the data plane.
 */

let cluster: TestCluster;
let controller: Controller;

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

beforeAll(async () => {
  cluster = await startCluster({ images: { 'worker:noop': { entrypoint: ['true'] } } });
  const applied = await cluster.kubectl(['apply', '-f', '-'], { stdin: CRDS.map((c) => JSON.stringify(c)).join('\n') });
  expect(applied.code, applied.stderr).toBe(0);
  controller = new Controller({
    kubeConfig: cluster.kubeConfig(),
    workerImage: 'worker:noop',
    concurrency: 2,
    progressIntervalMs: 1000,
    storage: { progress: async () => ({ reports: [] }), cleanup: async () => 0 },
    logger: pino({ level: 'silent' }),
    metrics: new OperatorMetrics(),
  });
  await controller.startInformers();
  controller.run();
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

describe('operator control plane on the API emulator', () => {
  it('runs a SyntheticDatasetJob through plan, generate and finalize to Succeeded', async () => {
    const api = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
    const job = datasetJob('cp').namespace('default').identities(8, 2).shards(4, 2).obj();
    await api.createNamespacedCustomObject({
      group: 'id3.sfr.dev',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'syntheticdatasetjobs',
      body: job,
    });
    const done = await until('the job to succeed', async () => {
      const o = (await api.getNamespacedCustomObject({
        group: 'id3.sfr.dev',
        version: 'v1alpha1',
        namespace: 'default',
        plural: 'syntheticdatasetjobs',
        name: 'cp',
      })) as { status?: { phase?: string } };
      return o.status?.phase === 'Succeeded' ? o : undefined;
    });
    expect(done.status).toMatchObject({ phase: 'Succeeded', shardsReady: '4/4', progress: '100%' });
    const jobs = await cluster.kubectl(['get', 'jobs', '-l', 'id3.sfr.dev/job=cp', '-o', 'name']);
    expect(jobs.stdout.trim().split('\n').sort()).toEqual([
      'job.batch/cp-finalize',
      'job.batch/cp-generate',
      'job.batch/cp-plan',
    ]);
    const events = await cluster.kubectl([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=cp',
      '-o',
      'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
    ]);
    expect(events.stdout).toContain('StageStarted');
    expect(events.stdout).toContain('Succeeded');
  });
});
