/**
 * The garbage collector: background deletion of dependents, references to deleted owners removed from dependents
 * that have another owner, foreground deletion that waits only for blockOwnerDeletion dependents and goes down a
 * chain of owners, orphaning, and dependents whose owner never existed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, request, startCluster, type TestCluster } from './harness.ts';

type Obj = {
  metadata: {
    name: string;
    uid: string;
    deletionTimestamp?: string;
    ownerReferences?: unknown[];
    finalizers?: string[];
  };
};
let c: TestCluster;
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  c = await startCluster();
});
afterAll(async () => c?.stop());

async function cm(name: string, owners: Obj[] = [], o: { block?: boolean; finalizers?: string[] } = {}): Promise<Obj> {
  const ownerReferences = owners.map((w) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: w.metadata.name,
    uid: w.metadata.uid,
    blockOwnerDeletion: o.block ?? false,
  }));
  const r = await request(c, 'POST', CM, { body: { metadata: { name, ownerReferences, finalizers: o.finalizers } } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Obj;
}
const get = async (name: string) => {
  const r = await request(c, 'GET', `${CM}/${name}`);
  return r.status === 404 ? undefined : (r.body as Obj);
};
const del = (name: string, propagationPolicy?: string) =>
  request(c, 'DELETE', `${CM}/${name}`, { body: propagationPolicy ? { propagationPolicy } : undefined });
const release = (name: string) =>
  request(c, 'PATCH', `${CM}/${name}`, {
    contentType: 'application/merge-patch+json',
    body: { metadata: { finalizers: null } },
  });

describe('garbage collector', () => {
  it('deletes dependents in the background and drops references to a deleted owner from dependents with another owner', async () => {
    const owner = await cm('bg-owner');
    const other = await cm('bg-other');
    await cm('bg-only', [owner]);
    await cm('bg-shared', [owner, other]);
    await del('bg-owner');
    await eventually(async () => expect(await get('bg-only')).toBeUndefined());
    await eventually(async () =>
      expect((await get('bg-shared'))?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ name: 'bg-other' }),
      ]),
    );
  });

  it('keeps a foreground-deleted owner until its blocking dependents are gone, not its non-blocking ones', async () => {
    const owner = await cm('fg-owner');
    await cm('fg-blocker', [owner], { block: true, finalizers: ['example.com/hold'] });
    await cm('fg-loose', [owner], { block: false, finalizers: ['example.com/hold'] });
    await del('fg-owner', 'Foreground');
    await eventually(async () => {
      expect((await get('fg-blocker'))?.metadata.deletionTimestamp).toBeDefined();
      expect((await get('fg-loose'))?.metadata.deletionTimestamp).toBeDefined();
    });
    expect((await get('fg-owner'))?.metadata.finalizers).toEqual(['foregroundDeletion']);
    await release('fg-blocker');
    await eventually(async () => expect(await get('fg-owner')).toBeUndefined());
    expect(await get('fg-loose')).toBeDefined();
    await release('fg-loose');
  });

  it('deletes down a chain of owners in the foreground, the last owner last', async () => {
    const order: string[] = [];
    const unsubscribe = c.sim.deps.store.subscribe((e) => {
      if (e.type === 'DELETED' && e.object.metadata.name?.startsWith('chain-')) order.push(e.object.metadata.name);
    });
    const a = await cm('chain-a');
    const b = await cm('chain-b', [a], { block: true });
    await cm('chain-c', [b], { block: true });
    await del('chain-a', 'Foreground');
    await eventually(async () => expect(order).toEqual(['chain-c', 'chain-b', 'chain-a']));
    unsubscribe();
  });

  it('orphans dependents: their references go, they stay', async () => {
    const owner = await cm('or-owner');
    await cm('or-dep', [owner], { block: true });
    await del('or-owner', 'Orphan');
    await eventually(async () => expect(await get('or-owner')).toBeUndefined());
    expect((await get('or-dep'))?.metadata.ownerReferences).toBeUndefined();
  });

  it('deletes a dependent whose owner does not exist', async () => {
    const ghost = { metadata: { name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' } } as Obj;
    await cm('haunted', [ghost]);
    await eventually(async () => expect(await get('haunted')).toBeUndefined());
  });
});
