/**
 * @kubernetes/client-node's informer against the emulator: its cache stays equal to the server's objects while
 * watches are dropped (it resumes from its last resourceVersion) and while resourceVersions expire (the resumed
 * watch gets 410 Gone, and the informer lists again, dropping objects deleted meanwhile).
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startCluster, type TestCluster } from './harness.ts';

let c: TestCluster;
let lists = 0;
let gone = 0;
beforeAll(async () => {
  c = await startCluster({
    onRequest: (method, path, status) => {
      if (method === 'GET' && path.startsWith('/api/v1/namespaces/inf/configmaps') && !path.includes('watch=')) lists++;
      void status;
    },
  });
  await c.kubectl(['create', 'namespace', 'inf']);
});
afterAll(async () => c?.stop());

it('keeps a correct cache through dropped watches and expired resourceVersions', async () => {
  const kc = c.kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/inf/configmaps', () =>
    core.listNamespacedConfigMap({ namespace: 'inf' }),
  );
  const stopped: unknown[] = [];
  let finished = false;
  informer.on('error', (err) => {
    // The library stops on errors other than 410 (and reports its own stop() as one); an operator restarts it.
    if (finished) return;
    stopped.push(err);
    setTimeout(() => void informer.start(), 50);
  });
  informer.on('delete', () => gone++);
  await informer.start();
  const cm = (name: string, v: number) => ({ metadata: { name, labels: { v: String(v) } }, data: { v: String(v) } });
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 3; i++)
      await core.createNamespacedConfigMap({ namespace: 'inf', body: cm(`r${round}-${i}`, round) });
    if (round > 0) {
      await core.replaceNamespacedConfigMap({
        namespace: 'inf',
        name: `r${round - 1}-0`,
        body: cm(`r${round - 1}-0`, 100 + round),
      });
      await core.deleteNamespacedConfigMap({ namespace: 'inf', name: `r${round - 1}-1` });
    }
    if (round % 2 === 0) c.sim.faults.dropWatches();
    else {
      // Writes while the watch is down, then history gone: the informer must relist to see them.
      c.sim.faults.dropWatches();
      await core.deleteNamespacedConfigMap({ namespace: 'inf', name: `r${round}-2` });
      c.sim.faults.expireResourceVersions();
    }
    await eventually(async () => {
      const server = (await core.listNamespacedConfigMap({ namespace: 'inf' })).items;
      const want = server.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
      const have = informer
        .list('inf')
        .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
        .sort();
      expect(have).toEqual(want);
    });
  }
  finished = true;
  await informer.stop();
  expect(stopped).toEqual([]);
  expect(lists).toBeGreaterThanOrEqual(4);
  expect(gone).toBeGreaterThanOrEqual(8);
  expect(informer.list('inf').map((o) => o.metadata?.name)).not.toContain('r1-2');
});
