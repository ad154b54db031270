import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { openStore, type Store } from '../../io/storage/index.ts';
import { JobStorageClient } from '../../operator/job-storage.ts';
import { type OperatorHandle, runOperator } from '../../operator/main.ts';
import { waitForGateway } from '../../scripts/s3.ts';
import { kubectlInBackground, startCluster, type TestCluster } from '../kube/harness.ts';
import { RESOLUTION, type TinyWorld, tinyDatasetSpec, tinyTrainingSpec, tinyWorld } from '../runner/fixtures.ts';

/**
 * The operator end to end: the API emulator with real kubectl, real worker processes run by its kubelet, the real
 * Ceph gateway for storage. Jobs are applied with kubectl as a user would, and the datasets they produce are compared
 * byte for byte with an undisturbed run while pods are preempted, the operator is restarted and the API misbehaves.
 */

const s3 = inject('s3');
const root = join(import.meta.dirname, '..', '..');
const NS = 'faces';
const IMAGE = 'id3-worker:e2e';
const run = `e2e-${Date.now().toString(36)}`;
let cluster: TestCluster;
let world: TinyWorld;
let dir: string;
let operators: OperatorHandle[] = [];
let reference: Record<string, string>;

const env = {
  AWS_ENDPOINT_URL_S3: s3.endpoint,
  AWS_ACCESS_KEY_ID: s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  AWS_REGION: s3.region,
};
const datasetUri = (name: string) => `s3://${s3.bucket}/${run}/${name}`;

async function startOperator(identity: string): Promise<OperatorHandle> {
  let handle: OperatorHandle | undefined;
  handle = await runOperator({
    kubeConfig: cluster.kubeConfig(),
    workerImage: IMAGE,
    concurrency: 2,
    progressIntervalMs: 500,
    storage: new JobStorageClient({
      readSecret: (ns, name) => handle!.controller.client.readSecret(ns, name),
      minIntervalMs: 500,
      logger: pino({ level: 'silent' }),
    }),
    address: '127.0.0.1:0',
    cleanupFinalizer: true,
    leaderElection: { namespace: 'default', name: 'id3-operator-e2e', identity },
    logger: pino({ level: process.env.ID3_E2E_DEBUG ? 'debug' : 'silent' }),
  });
  operators.push(handle);
  return handle;
}

async function stopOperator(h: OperatorHandle): Promise<void> {
  operators = operators.filter((o) => o !== h);
  await h.stop();
}

function datasetJob(name: string, o: { output?: string; seed?: number } = {}): string {
  const job = {
    apiVersion: 'id3.sfr.dev/v1alpha1',
    kind: 'SyntheticDatasetJob',
    metadata: { name, namespace: NS },
    spec: {
      ...tinyDatasetSpec(world, o.output ?? datasetUri(name)),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      sampler: { type: 'DDIM', steps: 3, batchSize: 2 },
      storage: { endpoint: s3.endpoint, region: s3.region, credentialsSecretRef: { name: 's3' } },
      resources: { gpus: 0 },
    },
  };
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(job));
  return file;
}

async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const r = await cluster.kubectl(args, stdin === undefined ? {} : { stdin });
  expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 240_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

async function waitComplete(name: string, kind = 'sdj'): Promise<void> {
  const r = await kubectlInBackground(cluster, [
    '-n',
    NS,
    'wait',
    `${kind}/${name}`,
    '--for=condition=Complete',
    '--timeout=300s',
  ]);
  if (r.code !== 0) {
    const status = await cluster.kubectl(['-n', NS, 'get', kind, name, '-o', 'jsonpath={.status}']);
    throw new Error(`${kind}/${name} did not complete: ${r.stderr}\nstatus: ${status.stdout}`);
  }
}

/** The dataset's tars and index as bytes by key (what must not depend on how the run went). */
async function datasetBytes(name: string): Promise<Record<string, string>> {
  const store: Store = openStore(datasetUri(name), undefined, env);
  const out: Record<string, string> = {};
  for await (const o of store.list('shards/'))
    if (o.key.endsWith('.tar')) out[o.key] = Buffer.from(await store.get(o.key)).toString('base64');
  out['index.jsonl'] = Buffer.from(await store.get('index.jsonl')).toString('base64');
  return out;
}

beforeAll(async () => {
  await waitForGateway(s3);
  dir = mkdtempSync(join(tmpdir(), 'id3-e2e-'));
  world = await tinyWorld(join(dir, 'world'));
  cluster = await startCluster({
    images: {
      [IMAGE]: {
        prefix: [process.execPath, join(root, 'bin', 'id3.js')],
        cwd: dir,
        rewrite: (argv) => argv.map((a) => (a === '9090' ? '0' : a)),
      },
    },
  });
  await kubectlOk(['apply', '-f', join(root, 'crds')]);
  await kubectlOk(['create', 'namespace', NS]);
  await kubectlOk([
    '-n',
    NS,
    'create',
    'secret',
    'generic',
    's3',
    `--from-literal=AWS_ACCESS_KEY_ID=${s3.accessKeyId}`,
    `--from-literal=AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}`,
  ]);
  await startOperator('replica-a');
}, 300_000);

afterAll(async () => {
  for (const o of [...operators]) await stopOperator(o);
  await cluster?.stop();
});

describe('operator end to end', { timeout: 420_000 }, () => {
  it('completes a SyntheticDatasetJob applied with kubectl, showing progress, and leaves a valid dataset in S3', async () => {
    await kubectlOk(['apply', '-f', datasetJob('ds-a')]);
    const waited = waitComplete('ds-a');
    const seen = new Set<string>();
    await until('kubectl get to show the job generating', async () => {
      const out = await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-a', '--no-headers']);
      seen.add(out.trim().split(/\s+/)[1] ?? '');
      return out.includes('Generating') || out.includes('Finalizing') || out.includes('Succeeded');
    });
    await waited;
    const got = await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-a']);
    expect(got).toMatch(/NAME\s+PHASE\s+PROGRESS\s+SHARDS\s+IMAGES\s+AGE/);
    expect(got).toMatch(/ds-a\s+Succeeded\s+100%\s+2\/2\s+12\s/);
    const store = openStore(datasetUri('ds-a'), undefined, env);
    const card = JSON.parse(Buffer.from(await store.get('manifest.json')).toString());
    expect(card.counts).toMatchObject({ identities: 4, images: 12 });
    expect(await store.exists('report/index.html')).toBe(true);
    const status = JSON.parse(await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-a', '-o', 'jsonpath={.status}']));
    expect(status).toMatchObject({
      manifestURI: `${datasetUri('ds-a')}/manifest.json`,
      reportURI: `${datasetUri('ds-a')}/report/index.html`,
    });
    expect(typeof status.quality.centroidConsistency).toBe('number');
    reference = await datasetBytes('ds-a');
  });

  it('loses and duplicates nothing when a worker pod is preempted mid-shard', async () => {
    await kubectlOk(['apply', '-f', datasetJob('ds-preempt')]);
    const store = openStore(datasetUri('ds-preempt'), undefined, env);
    const pod = await until('a generate pod to have committed work', async () => {
      for await (const o of store.list('shards/')) if (o.key.endsWith('.jsonl')) return podOf('ds-preempt-generate');
      return undefined;
    });
    cluster.sim.preempt(NS, pod, { reason: 'PreemptionByScheduler', message: 'a higher-priority pod needs the GPU' });
    await waitComplete('ds-preempt');
    expect(await datasetBytes('ds-preempt')).toEqual(reference);
    const job = JSON.parse(await kubectlOk(['-n', NS, 'get', 'job', 'ds-preempt-generate', '-o', 'json']));
    expect(job.status.failed ?? 0).toBe(0);
  });

  it('survives an operator restart, a second replica, dropped watches, expired versions and failing writes', async () => {
    await kubectlOk(['apply', '-f', datasetJob('ds-chaos')]);
    await until('the plan stage to start', () => podOf('ds-chaos-plan'));
    await stopOperator(operators[0]!);
    cluster.sim.faults.configure({ writeErrorRate: 0.2, writeErrorCodes: [409, 500, 429] });
    await Promise.all([startOperator('replica-b'), startOperator('replica-c')]);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      cluster.sim.faults.dropWatches();
      cluster.sim.faults.expireResourceVersions();
    }
    await waitComplete('ds-chaos');
    cluster.sim.faults.reset();
    expect(await datasetBytes('ds-chaos')).toEqual(reference);
    expect(operators.filter((o) => o.elector?.isLeader).length).toBe(1);
  });

  it('runs an ID3TrainingJob, then a SyntheticDatasetJob that waits for it through trainingJobRef', async () => {
    const faces = join(dir, 'faces');
    const fixtures = await kubectlFreeRun([
      'fixtures',
      'faces',
      '--identities',
      '6',
      '--per-identity',
      '2',
      '--size',
      String(RESOLUTION),
      '--seed',
      '2',
      '--out',
      faces,
    ]);
    expect(fixtures).toBe(0);
    const training = {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'ID3TrainingJob',
      metadata: { name: 'tj', namespace: NS },
      spec: {
        ...tinyTrainingSpec(world, faces, datasetUri('tj'), 80),
        training: { steps: 80, batchSize: 4, checkpointEverySteps: 10, logEverySteps: 5 },
        evaluate: { enabled: false },
        storage: { endpoint: s3.endpoint, region: s3.region, credentialsSecretRef: { name: 's3' } },
        resources: { gpus: 0 },
      },
    };
    const dataset = {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'SyntheticDatasetJob',
      metadata: { name: 'from-tj', namespace: NS },
      spec: {
        model: { trainingJobRef: { name: 'tj' } },
        identities: 2,
        imagesPerIdentity: 2,
        seed: 3,
        anchors: { steps: 5 },
        sampler: { type: 'DDIM', steps: 2, batchSize: 4 },
        output: { uri: datasetUri('from-tj'), identitiesPerTar: 1 },
        quality: { enabled: false },
        storage: { endpoint: s3.endpoint, region: s3.region, credentialsSecretRef: { name: 's3' } },
        resources: { gpus: 0 },
      },
    };
    // The dataset job first: it must wait for the training job it names.
    await kubectlOk(['apply', '-f', '-'], stringify(dataset));
    await until('the dataset job to wait', async () =>
      (await kubectlOk(['-n', NS, 'get', 'sdj', 'from-tj', '--no-headers'])).includes('Waiting'),
    );
    await kubectlOk(['apply', '-f', '-'], stringify(training));
    // Preempt the trainer once its first checkpoint is committed: it checkpoints again on SIGTERM and resumes.
    const checkpoints = openStore(`${datasetUri('tj')}/checkpoints`, undefined, env);
    await until('the first checkpoint', () => checkpoints.exists('step-000000010/COMMITTED'));
    const trainer = await until('the training pod', () => podOf('tj-train'));
    cluster.sim.preempt(NS, trainer, { reason: 'PreemptionByScheduler', message: 'node drain' });
    await waitComplete('tj', 'id3tj');
    await waitComplete('from-tj');
    const tj = JSON.parse(await kubectlOk(['-n', NS, 'get', 'id3tj', 'tj', '-o', 'jsonpath={.status}']));
    expect(tj).toMatchObject({ phase: 'Succeeded', step: 80, latestCheckpointStep: 80 });
    expect(tj.preemptions).toBeGreaterThanOrEqual(1);
    const trainJob = JSON.parse(await kubectlOk(['-n', NS, 'get', 'job', 'tj-train', '-o', 'json']));
    expect(trainJob.status.failed ?? 0).toBe(0);
    const ds = JSON.parse(await kubectlOk(['-n', NS, 'get', 'sdj', 'from-tj', '-o', 'jsonpath={.status}']));
    expect(ds.checkpointURI).toBe(tj.latestCheckpointURI);
  });

  it('starts nothing while suspended, and completes the same dataset once resumed', async () => {
    const file = datasetJob('ds-suspend');
    const spec = readFileSync(file, 'utf8').replace('spec:\n', 'spec:\n  suspend: true\n');
    await kubectlOk(['apply', '-f', '-'], spec);
    await until('the job to be suspended', async () =>
      (await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-suspend', '--no-headers'])).includes('Suspended'),
    );
    const pods = await kubectlOk(['-n', NS, 'get', 'pods', '-l', 'id3.sfr.dev/job=ds-suspend', '-o', 'name']);
    expect(pods.trim()).toBe('');
    await kubectlOk(['-n', NS, 'patch', 'sdj', 'ds-suspend', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await waitComplete('ds-suspend');
    expect(await datasetBytes('ds-suspend')).toEqual(reference);
    const conditions = JSON.parse(
      await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-suspend', '-o', 'jsonpath={.status.conditions}']),
    );
    expect(conditions.find((c: { type: string }) => c.type === 'Suspended')).toMatchObject({
      status: 'False',
      reason: 'Resumed',
    });
  });

  it("cleans a deleted job's temporary storage through its finalizer, and keeps the dataset", async () => {
    const store = openStore(datasetUri('ds-a'), undefined, env);
    const keys = async (prefix: string) => {
      const out: string[] = [];
      for await (const o of store.list(prefix)) out.push(o.key);
      return out;
    };
    expect((await keys('progress/')).length).toBeGreaterThan(0);
    const finalizers = await kubectlOk(['-n', NS, 'get', 'sdj', 'ds-a', '-o', 'jsonpath={.metadata.finalizers}']);
    expect(finalizers).toContain('id3.sfr.dev/cleanup');
    // As if it were deleted mid-way: its hold on the model's step is still there.
    const model = new CheckpointStore(openStore(world.checkpoints));
    await model.hold(0, store.root);
    const holders = async () => (await model.holds()).map((h) => h.holder);
    expect(await holders()).toContain(store.root);
    await kubectlOk(['-n', NS, 'delete', 'sdj', 'ds-a', '--wait=true', '--timeout=60s']);
    expect(await holders()).not.toContain(store.root);
    expect(await keys('progress/')).toEqual([]);
    expect(await store.exists('manifest.json')).toBe(true);
    expect((await keys('shards/')).filter((k) => k.endsWith('.tar'))).toHaveLength(4);
  });

  it("refuses a second job on another job's output, and cleaning up after it touches nothing of the first", async () => {
    // ds-a finished above: its progress reports are still there, and (as if it were mid-way) it holds its step.
    const output = datasetUri('ds-first');
    await kubectlOk(['apply', '-f', datasetJob('ds-first', { output })]);
    await waitComplete('ds-first');
    const store = openStore(output, undefined, env);
    const keys = async (prefix: string) => {
      const out: string[] = [];
      for await (const o of store.list(prefix)) out.push(o.key);
      return out;
    };
    const progress = await keys('progress/');
    expect(progress.length).toBeGreaterThan(0);
    const model = new CheckpointStore(openStore(world.checkpoints));
    await model.hold(0, store.root);
    // Another job, another seed, the same output.uri: its plan worker refuses it (exit 65) and it fails.
    await kubectlOk(['apply', '-f', datasetJob('ds-second', { output, seed: 99 })]);
    const failed = await until('ds-second to fail', async () => {
      const r = await cluster.kubectl(['-n', NS, 'get', 'sdj', 'ds-second', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Failed' ? r.stdout : undefined;
    });
    expect(failed).toBe('Failed');
    const message = await kubectlOk([
      '-n',
      NS,
      'get',
      'sdj',
      'ds-second',
      '-o',
      "jsonpath={.status.conditions[?(@.type=='Failed')].message}",
    ]);
    expect(message).toContain('spec.seed: 99 here');
    await kubectlOk(['-n', NS, 'delete', 'sdj', 'ds-second', '--wait=true', '--timeout=60s']);
    expect(await keys('progress/')).toEqual(progress);
    expect((await model.holds()).map((h) => h.holder)).toContain(store.root);
    expect(await store.exists('manifest.json')).toBe(true);
    await model.release(store.root);
  });

  it("refuses an invalid manifest with the CRD's message", async () => {
    const bad = {
      apiVersion: 'id3.sfr.dev/v1alpha1',
      kind: 'SyntheticDatasetJob',
      metadata: { name: 'bad', namespace: NS },
      spec: {
        model: { checkpointURI: world.checkpoints },
        identities: 4,
        seed: 1,
        anchorSimilarity: { lb: 0.9, ub: 0.1 },
        output: { uri: datasetUri('bad') },
      },
    };
    const r = await cluster.kubectl(['apply', '-f', '-'], { stdin: stringify(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('anchorSimilarity.lb must be less than anchorSimilarity.ub');
  });
});

async function podOf(jobName: string): Promise<string | undefined> {
  const out = await cluster.kubectl([
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    `job-name=${jobName}`,
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[0].metadata.name}',
  ]);
  return out.stdout.trim() || undefined;
}

/** Runs `id3 …` directly (not through the cluster), for test inputs. */
async function kubectlFreeRun(args: string[]): Promise<number | null> {
  const { spawnSync } = await import('node:child_process');
  return spawnSync(process.execPath, [join(root, 'bin', 'id3.js'), ...args], { cwd: dir, stdio: 'ignore' }).status;
}
