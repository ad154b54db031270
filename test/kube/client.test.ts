/**
 * What an operator does with @kubernetes/client-node 1.4, against the emulator: server-side apply of a child Job
 * (idempotent: an unchanged apply writes nothing), leader election on a Lease (a stale update loses with 409), and
 * status writes on our custom resources through the status subresource.
 */
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { datasetJob } from '../builders.ts';
import { startCluster, type TestCluster } from './harness.ts';

let c: TestCluster;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  c = await startCluster();
  kc = c.kubeConfig();
  await c.kubectl(['apply', '-f', fileURLToPath(new URL('../../crds/', import.meta.url))]);
});
afterAll(async () => c?.stop());

it('server-side applies a child Job idempotently', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const job: k8s.V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'child', namespace: 'default', labels: { 'id3.sfr.dev/stage': 'plan' } },
    spec: {
      suspend: true,
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'busybox', command: ['true'] }] },
      },
    },
  };
  const apply = () => objects.patch(job, undefined, undefined, 'id3-operator', true, k8s.PatchStrategy.ServerSideApply);
  await apply();
  const first = await apply();
  const second = await apply();
  expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  expect(second.metadata?.managedFields?.find((m) => m.manager === 'id3-operator')?.operation).toBe('Apply');
});

it('lets one of two candidates take a Lease, the stale one getting 409', async () => {
  const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
  const spec = {
    holderIdentity: 'a',
    leaseDurationSeconds: 15,
    acquireTime: new k8s.V1MicroTime(),
    renewTime: new k8s.V1MicroTime(),
  };
  const lease = await coordination.createNamespacedLease({
    namespace: 'default',
    body: { metadata: { name: 'id3-operator' }, spec },
  });
  const take = (holder: string) =>
    coordination.replaceNamespacedLease({
      namespace: 'default',
      name: 'id3-operator',
      body: { ...lease, spec: { ...lease.spec, holderIdentity: holder } },
    });
  expect((await take('b')).spec?.holderIdentity).toBe('b');
  await expect(take('c')).rejects.toMatchObject({ code: 409 });
});

it('writes a custom resource status through the status subresource (JSON patch and merge patch)', async () => {
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const where = { group: 'id3.sfr.dev', version: 'v1alpha1', namespace: 'default', plural: 'syntheticdatasetjobs' };
  await custom.createNamespacedCustomObject({ ...where, body: datasetJob('q').obj() });
  await custom.patchNamespacedCustomObjectStatus({
    ...where,
    name: 'q',
    body: [{ op: 'add', path: '/status', value: { phase: 'Planning' } }],
  });
  const merged = (await custom.patchNamespacedCustomObjectStatus(
    { ...where, name: 'q', body: { status: { progress: '10%' }, spec: { identities: 1 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  )) as { spec: { identities: number }; status: { phase: string; progress: string } };
  expect(merged.status).toEqual({ phase: 'Planning', progress: '10%' });
  expect(merged.spec.identities).toBe(8);
});
