import { BatchV1Api, PatchStrategy, setHeaderOptions, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, KubeError } from '../../operator/kube/client.ts';
import { startCluster, type TestCluster } from '../kube/harness.ts';

/**
 * Under Kueue the operator creates a stage's Job suspended and Kueue admits it by setting suspend to false (an update
 * by Kueue's own field manager, which takes ownership of the field). When the operator later applies a change (say
 * parallelism) from a cache that has not seen the admission yet, a forced apply would take `suspend` back and
 * re-suspend the running Job; the operator applies such Jobs without force, so the stale apply is refused (409) and
 * retried from a fresh view. Checked on the emulator's server-side apply, which tracks field managers.
 */

let cluster: TestCluster;
let operator: KubeClient;
let kueue: BatchV1Api;

beforeAll(async () => {
  cluster = await startCluster();
  operator = new KubeClient(cluster.kubeConfig(), 'id3-operator');
  kueue = cluster.kubeConfig().makeApiClient(BatchV1Api);
});

afterAll(async () => {
  await cluster?.stop();
});

function stageJob(name: string, o: { suspend: boolean; parallelism: number }): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', labels: { 'kueue.x-k8s.io/queue-name': 'gpu' } },
    spec: {
      suspend: o.suspend,
      parallelism: o.parallelism,
      completions: 4,
      completionMode: 'Indexed',
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'worker', image: 'busybox', command: ['sleep', '30'] }],
        },
      },
    },
  };
}

async function admit(name: string): Promise<void> {
  await kueue.patchNamespacedJob(
    { name, namespace: 'default', body: { spec: { suspend: false } }, fieldManager: 'kueue-admission' },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

const read = (name: string) => kueue.readNamespacedJob({ name, namespace: 'default' });

describe('applying a Kueue-managed Job', () => {
  it('refuses a stale unforced apply after admission, and takes a fresh one', async () => {
    await operator.applyJob(stageJob('a', { suspend: true, parallelism: 2 }));
    await admit('a');
    // The operator's cache still says suspended; it wants parallelism 4.
    const stale = operator.applyJob(stageJob('a', { suspend: true, parallelism: 4 }), { force: false });
    await expect(stale).rejects.toBeInstanceOf(KubeError);
    await expect(stale).rejects.toMatchObject({ status: 409 });
    expect((await read('a')).spec).toMatchObject({ suspend: false, parallelism: 2 });
    // From a fresh view it echoes suspend: false, and the change goes through.
    await operator.applyJob(stageJob('a', { suspend: false, parallelism: 4 }), { force: false });
    expect((await read('a')).spec).toMatchObject({ suspend: false, parallelism: 4 });
  });

  it('creates with an unforced apply, and a creation sent again after admission conflicts', async () => {
    await operator.applyJob(stageJob('c', { suspend: true, parallelism: 2 }), { force: false });
    expect((await read('c')).spec).toMatchObject({ suspend: true, parallelism: 2 });
    await admit('c');
    // A reconcile whose cache has not seen its own create yet sends the same creation apply again.
    const again = operator.applyJob(stageJob('c', { suspend: true, parallelism: 2 }), { force: false });
    await expect(again).rejects.toMatchObject({ status: 409 });
    expect((await read('c')).spec?.suspend).toBe(false);
  });

  it('would re-suspend the admitted Job with a forced apply (what the unforced apply prevents)', async () => {
    await operator.applyJob(stageJob('b', { suspend: true, parallelism: 2 }));
    await admit('b');
    await operator.applyJob(stageJob('b', { suspend: true, parallelism: 4 }));
    expect((await read('b')).spec?.suspend).toBe(true);
  });
});
