import { CoreV1Api, type V1ConfigMap } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResilientInformer } from '../../operator/kube/informer.ts';
import { eventually, startCluster, type TestCluster } from '../kube/harness.ts';

/** The operator's informer wrapper on the API emulator: it re-lists when stale and keeps a correct cache through faults. */

let cluster: TestCluster;
let api: CoreV1Api;
const restarts: string[] = [];
const seen = new Set<string>();
let informer: ResilientInformer<V1ConfigMap>;

const configMap = (name: string) =>
  api.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name, labels: { app: 'informer-test' } } },
  });

beforeAll(async () => {
  cluster = await startCluster();
  const kc = cluster.kubeConfig();
  api = kc.makeApiClient(CoreV1Api);
  await configMap('before-start');
  informer = new ResilientInformer<V1ConfigMap>({
    kubeConfig: kc,
    path: '/api/v1/namespaces/default/configmaps',
    list: () => api.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=informer-test' }),
    labelSelector: 'app=informer-test',
    onEvent: (_e, obj) => seen.add(obj.metadata?.name ?? ''),
    logger: pino({ level: 'silent' }),
    staleAfterMs: 1200,
    onRestart: (why) => restarts.push(why),
  });
  await informer.start();
});

afterAll(async () => {
  await informer?.stop();
  await cluster?.stop();
});

describe('ResilientInformer', () => {
  it('lists what exists, then follows changes', async () => {
    expect(informer.hasSynced).toBe(true);
    expect(informer.get('before-start', 'default')).toBeDefined();
    await configMap('after-start');
    await eventually(() => expect(informer.get('after-start', 'default')).toBeDefined());
  });

  it('re-lists when nothing has been heard for staleAfterMs, keeping its cache', async () => {
    await eventually(() => expect(restarts).toContain('stale'), 10_000);
    expect(
      informer
        .list('default')
        .map((c) => c.metadata?.name)
        .sort(),
    ).toEqual(['after-start', 'before-start']);
  });

  it('keeps a correct cache through dropped watches and expired resourceVersions', async () => {
    cluster.sim.faults.dropWatches();
    cluster.sim.faults.expireResourceVersions();
    await configMap('after-faults');
    await api.deleteNamespacedConfigMap({ namespace: 'default', name: 'before-start' });
    await eventually(() => {
      expect(
        informer
          .list('default')
          .map((c) => c.metadata?.name)
          .sort(),
      ).toEqual(['after-faults', 'after-start']);
    }, 15_000);
    expect(seen.has('after-faults')).toBe(true);
  });
});
