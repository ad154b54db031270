/**
 * The real kubectl against the emulator: our CRDs and examples apply, `get` prints our printer columns, `explain`
 * reads our field descriptions, invalid objects are refused in the API server's words, `describe` shows events,
 * `wait` sees conditions, server-side apply reports conflicts, and deletes cascade as asked.
 */
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetJob } from '../builders.ts';
import { eventually, kubectlInBackground, startCluster, type TestCluster } from './harness.ts';

const repo = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));

let c: TestCluster;
beforeAll(async () => {
  c = await startCluster();
  const crds = await c.kubectl(['apply', '-f', repo('crds/')]);
  expect(crds.stderr).toBe('');
  await c.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=10s']);
});
afterAll(async () => c?.stop());

const ok = async (args: string[], stdin?: string) => {
  const r = await c.kubectl(args, { stdin });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
};

const yaml = (o: unknown) => JSON.stringify(o);

describe('kubectl', () => {
  it('applies the examples and prints the printer columns, wide ones with -o wide', async () => {
    await ok(['create', 'namespace', 'faces']);
    await ok(['create', 'secret', 'generic', 'id3-s3', '-n', 'faces', '--from-literal=AWS_ACCESS_KEY_ID=a']);
    const applied = await ok(['apply', '-f', repo('examples/'), '-n', 'faces']);
    expect(applied.trim().split('\n')).toHaveLength(4);
    await ok([
      'patch',
      'sdj',
      'faces-10k-x50',
      '-n',
      'faces',
      '--subresource=status',
      '--type=merge',
      '-p',
      yaml({ status: { phase: 'Generating', progress: '12%', shardsReady: '3/64', imagesDone: 60000 } }),
    ]);
    const table = await ok(['get', 'sdj', '-n', 'faces']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+PHASE\s+PROGRESS\s+SHARDS\s+IMAGES\s+AGE$/);
    expect(table).toMatch(/faces-10k-x50\s+Generating\s+12%\s+3\/64\s+60000\s+\d+s/);
    const wide = await ok(['get', 'sdj', 'faces-10k-x50', '-n', 'faces', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/AGE\s+STAGE\s+IDENTITIES\s+SAMPLER\s+IMG\/S\s+CHECKPOINT$/);
    expect(wide).toMatch(/10000\s+DDIM/);
    const category = await ok(['get', 'id3', '-A', '-o', 'name']);
    expect(category.trim().split('\n').sort()).toEqual([
      'id3trainingjob.id3.sfr.dev/id3-ffhq-112',
      'id3trainingjob.id3.sfr.dev/quickstart-training',
      'syntheticdatasetjob.id3.sfr.dev/faces-10k-x50',
      'syntheticdatasetjob.id3.sfr.dev/quickstart',
    ]);
    const again = await ok(['apply', '-f', repo('examples/'), '-n', 'faces']);
    expect(again).toMatch(/faces-10k-x50 unchanged/);
  });

  it('explains our kinds from the CRD field descriptions', async () => {
    const out = await ok(['explain', 'sdj.spec.sampler.guidanceScale']);
    expect(out).toContain('KIND:       SyntheticDatasetJob');
    expect(out).toMatch(/Identity guidance s_id/);
  });

  it('refuses an invalid custom resource with the CRD message, and an unknown field under strict validation', async () => {
    const bad = datasetJob('bad').set('spec.anchorSimilarity', { lb: 0.9, ub: 0.5 }).obj();
    const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'The SyntheticDatasetJob "bad" is invalid: spec.anchorSimilarity: Invalid value: "object": anchorSimilarity.lb must be less than anchorSimilarity.ub',
    );
    const typo = datasetJob('typo').set('spec.imagesPerIdentiy', 3).obj();
    const s = await c.kubectl(['create', '-f', '-'], { stdin: yaml(typo) });
    expect(s.stderr).toContain('strict decoding error: unknown field "spec.imagesPerIdentiy"');
    const immutable = await c.kubectl([
      'patch',
      'sdj',
      'quickstart',
      '-n',
      'faces',
      '--type=merge',
      '-p',
      yaml({ spec: { seed: 9 } }),
    ]);
    expect(immutable.stderr).toContain('spec.seed: Invalid value: "integer": seed is immutable');
  });

  it('waits for a condition that appears later', async () => {
    await ok(['apply', '-f', '-'], yaml(datasetJob('waited').obj()));
    const waiting = kubectlInBackground(c, ['wait', 'sdj/waited', '--for=condition=Complete', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    const condition = {
      type: 'Complete',
      status: 'True',
      reason: 'Finalized',
      message: 'done',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    await ok([
      'patch',
      'sdj',
      'waited',
      '--subresource=status',
      '--type=merge',
      '-p',
      yaml({ status: { conditions: [condition] } }),
    ]);
    const r = await waiting;
    expect(r.stdout).toContain('syntheticdatasetjob.id3.sfr.dev/waited condition met');
    expect(r.code).toBe(0);
  });

  it('describes a custom resource with its events', async () => {
    await ok(['apply', '-f', '-'], yaml(datasetJob('described').obj()));
    const uid = await ok(['get', 'sdj', 'described', '-o', 'jsonpath={.metadata.uid}']);
    const events = c.kubeConfig().makeApiClient(k8s.CoreV1Api);
    await events.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'described.1' },
        involvedObject: {
          apiVersion: 'id3.sfr.dev/v1alpha1',
          kind: 'SyntheticDatasetJob',
          name: 'described',
          namespace: 'default',
          uid,
        },
        reason: 'StageStarted',
        message: 'plan stage started',
        type: 'Normal',
        source: { component: 'id3-operator' },
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
        count: 1,
      },
    });
    const out = await ok(['describe', 'sdj', 'described']);
    expect(out).toMatch(/Events:\s+Type\s+Reason\s+Age\s+From\s+Message/);
    expect(out).toMatch(/Normal\s+StageStarted\s+\S+\s+id3-operator\s+plan stage started/);
  });

  it('server-side apply owns fields and reports conflicts with another manager', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { a: '1', b: '2' } };
    await ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], yaml(cm));
    const conflict = await c.kubectl(['apply', '--server-side', '--field-manager=bob', '-f', '-'], {
      stdin: yaml({ ...cm, data: { a: 'x' } }),
    });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict with "alice"/);
    await ok(
      ['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'],
      yaml({ ...cm, data: { a: 'x' } }),
    );
    await ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], yaml({ ...cm, data: {} }));
    expect(JSON.parse(await ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data}']))).toEqual({ a: 'x' });
  });

  it('cascades deletion: background removes pods, orphan keeps them, foreground waits for them', async () => {
    const job = (name: string) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      // Pods that ignore SIGTERM live out their grace period, so the foreground deletion is observable.
      spec: {
        parallelism: 2,
        completions: 2,
        template: {
          spec: {
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 2,
            containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; sleep 30'] }],
          },
        },
      },
    });
    const podsOf = async (name: string) =>
      (await ok(['get', 'pods', '-l', `job-name=${name}`, '-o', 'name'])).trim().split('\n').filter(Boolean);
    for (const name of ['bg', 'orphaned', 'fg']) await ok(['apply', '-f', '-'], yaml(job(name)));
    for (const name of ['bg', 'orphaned', 'fg'])
      await eventually(async () => expect(await podsOf(name)).toHaveLength(2));
    await ok(['delete', 'job', 'bg']);
    await eventually(async () => expect(await podsOf('bg')).toEqual([]));
    await ok(['delete', 'job', 'orphaned', '--cascade=orphan']);
    const left = await podsOf('orphaned');
    expect(left).toHaveLength(2);
    expect(
      await ok(['get', 'pods', '-l', 'job-name=orphaned', '-o', 'jsonpath={.items[*].metadata.ownerReferences}']),
    ).toBe('');
    await ok(['delete', 'job', 'fg', '--cascade=foreground', '--wait=false']);
    const during = JSON.parse(await ok(['get', 'job', 'fg', '-o', 'json'])) as {
      metadata: { finalizers?: string[]; deletionTimestamp?: string };
    };
    expect(during.metadata.finalizers).toContain('foregroundDeletion');
    expect(during.metadata.deletionTimestamp).toBeDefined();
    await eventually(async () => expect((await c.kubectl(['get', 'job', 'fg'])).stderr).toContain('NotFound'));
    expect(await podsOf('fg')).toEqual([]);
  });
});
