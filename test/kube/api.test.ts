/**
 * The API conventions over HTTP: resourceVersion conflicts, generation, the status subresource, generateName,
 * finalizers and deletionTimestamp, selectors, paging, watch (replay, selector transitions, bookmarks, 410), the
 * patch types and server-side apply, Tables, namespaces and CRD removal.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetJob, trainingJob } from '../builders.ts';
import { eventually, request, startCluster, type TestCluster, watchEvents } from './harness.ts';

type Obj = { metadata: Record<string, unknown>; [k: string]: unknown };
let c: TestCluster;
const SDJ = '/apis/id3.sfr.dev/v1alpha1/namespaces/default/syntheticdatasetjobs';
const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  c = await startCluster();
  await c.kubectl(['apply', '-f', fileURLToPath(new URL('../../crds/', import.meta.url))]);
});
afterAll(async () => c?.stop());

const create = async (path: string, body: unknown) => {
  const r = await request(c, 'POST', path, { body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Obj;
};

describe('writes', () => {
  it('refuses an update from a stale resourceVersion with 409 Conflict', async () => {
    const cm = await create(CM, { metadata: { name: 'rv' }, data: { a: '1' } });
    const first = await request(c, 'PUT', `${CM}/rv`, { body: { ...cm, data: { a: '2' } } });
    expect(first.status).toBe(200);
    const stale = await request(c, 'PUT', `${CM}/rv`, { body: { ...cm, data: { a: '3' } } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('bumps generation on spec changes only, and splits spec and status between the endpoints', async () => {
    const job = await create(SDJ, datasetJob('gen').obj());
    expect(job.metadata.generation).toBe(1);
    const statusWrite = await request(c, 'PATCH', `${SDJ}/gen/status`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { identities: 99 }, status: { phase: 'Planning' } },
    });
    expect(statusWrite.body).toMatchObject({
      metadata: { generation: 1 },
      spec: { identities: 8 },
      status: { phase: 'Planning' },
    });
    const specWrite = await request(c, 'PATCH', `${SDJ}/gen`, {
      contentType: 'application/merge-patch+json',
      body: { spec: { suspend: true }, status: { phase: 'Ignored' } },
    });
    expect(specWrite.body).toMatchObject({
      metadata: { generation: 2 },
      spec: { suspend: true },
      status: { phase: 'Planning' },
    });
    const labelWrite = await request(c, 'PATCH', `${SDJ}/gen`, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { a: 'b' } } },
    });
    expect((labelWrite.body as Obj).metadata.generation).toBe(2);
  });

  it('names objects from generateName and refuses duplicates', async () => {
    const a = await create(CM, { metadata: { generateName: 'gen-' } });
    expect(a.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const dup = await request(c, 'POST', CM, { body: { metadata: { name: a.metadata.name } } });
    expect(dup.status).toBe(409);
    expect((dup.body as { reason: string }).reason).toBe('AlreadyExists');
  });

  it('keeps a deleted object with finalizers until the last one is removed', async () => {
    await create(CM, { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const del = await request(c, 'DELETE', `${CM}/fin`);
    expect((del.body as Obj).metadata.deletionTimestamp).toBeDefined();
    const more = await request(c, 'PATCH', `${CM}/fin`, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { finalizers: ['example.com/hold', 'example.com/late'] } },
    });
    expect(more.status).toBe(422);
    const release = await request(c, 'PATCH', `${CM}/fin`, {
      contentType: 'application/json-patch+json',
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    expect(release.status).toBe(200);
    expect((await request(c, 'GET', `${CM}/fin`)).status).toBe(404);
  });

  it('applies JSON patch (with test), merge patch, and strategic merge patch by merge key', async () => {
    const cm = await create(CM, { metadata: { name: 'patched' }, data: { a: '1' } });
    const failedTest = await request(c, 'PATCH', `${CM}/patched`, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: 'nope' },
        { op: 'replace', path: '/data/a', value: 'x' },
      ],
    });
    expect(failedTest.status).toBe(422);
    const tested = await request(c, 'PATCH', `${CM}/patched`, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cm.metadata.resourceVersion },
        { op: 'replace', path: '/data/a', value: 'x' },
      ],
    });
    expect((tested.body as { data: unknown }).data).toEqual({ a: 'x' });
    const pod = {
      metadata: { name: 'smp' },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'a', image: 'busybox:1', command: ['sh', '-c', 'sleep 5'] },
          { name: 'b', image: 'busybox:1' },
        ],
      },
    };
    c.sim.holdScheduling(() => true);
    await create('/api/v1/namespaces/default/pods', pod);
    const smp = await request(c, 'PATCH', '/api/v1/namespaces/default/pods/smp', {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { containers: [{ name: 'b', image: 'busybox:2' }] } },
    });
    const containers = (smp.body as { spec: { containers: { name: string; image: string }[] } }).spec.containers;
    expect(containers.map((x) => `${x.name}=${x.image}`)).toEqual(['a=busybox:1', 'b=busybox:2']);
    const crSmp = await request(c, 'PATCH', `${SDJ}/gen`, {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: {} },
    });
    expect(crSmp.status).toBe(415);
    c.sim.holdScheduling(() => false);
  });

  it('server-side applies for an operator: creates, owns, removes what it stops applying, and conflicts', async () => {
    const path = '/apis/batch/v1/namespaces/default/jobs/ssa?fieldManager=id3-operator&force=true';
    const job = (labels: Record<string, string>) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'ssa', labels },
      spec: {
        suspend: true,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] },
        },
      },
    });
    const apply = (body: unknown, p = path) =>
      request(c, 'PATCH', p, { contentType: 'application/apply-patch+yaml', body });
    expect((await apply(job({ a: '1', b: '2' }))).status).toBe(201);
    const second = (await apply(job({ a: '1' }))).body as Obj;
    expect(second.metadata.labels).toMatchObject({ a: '1' });
    expect((second.metadata.labels as Record<string, string>).b).toBeUndefined();
    const fields = (second.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    expect(fields).toContain('id3-operator/Apply');
    await request(c, 'PATCH', '/apis/batch/v1/namespaces/default/jobs/ssa?fieldManager=kubectl-edit', {
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { a: 'edited' } } },
    });
    const conflict = await apply(
      job({ a: '1' }),
      '/apis/batch/v1/namespaces/default/jobs/ssa?fieldManager=id3-operator',
    );
    expect(conflict.status).toBe(409);
    expect((conflict.body as { message: string }).message).toContain('conflict with "kubectl-edit"');
    const missingManager = await apply(job({}), '/apis/batch/v1/namespaces/default/jobs/ssa');
    expect(missingManager.status).toBe(400);
  });
});

describe('reads', () => {
  it('selects by labels (equality and set-based) and by fields, and refuses unsupported field labels', async () => {
    for (const [name, tier] of [
      ['s1', 'web'],
      ['s2', 'db'],
      ['s3', 'cache'],
    ] as const)
      await create(CM, { metadata: { name, labels: { sel: 'yes', tier } } });
    const names = async (q: string) =>
      ((await request(c, 'GET', `${CM}?${q}`)).body as { items: Obj[] }).items.map((o) => o.metadata.name);
    expect(await names('labelSelector=sel=yes,tier%20in%20(web,db)')).toEqual(['s1', 's2']);
    expect(await names('labelSelector=sel,tier!=web')).toEqual(['s2', 's3']);
    expect(await names('fieldSelector=metadata.name=s3')).toEqual(['s3']);
    expect((await request(c, 'GET', `${CM}?fieldSelector=data.a=1`)).status).toBe(400);
    expect((await request(c, 'GET', `${CM}?watch=true&fieldSelector=data.a=1`)).status).toBe(400);
  });

  it('pages lists with limit and continue', async () => {
    for (let i = 0; i < 5; i++) await create(CM, { metadata: { name: `page-${i}`, labels: { page: 'y' } } });
    const seen: unknown[] = [];
    let token = '';
    for (let n = 0; n < 5; n++) {
      const r = (await request(c, 'GET', `${CM}?labelSelector=page&limit=2${token ? `&continue=${token}` : ''}`))
        .body as { items: Obj[]; metadata: { continue?: string } };
      seen.push(...r.items.map((o) => o.metadata.name));
      if (!r.metadata.continue) break;
      token = r.metadata.continue;
    }
    expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  });

  it('watches from a resourceVersion: replays, follows selectors, sends bookmarks, and answers 410 when too old', async () => {
    const start = (await request(c, 'GET', CM)).body as { metadata: { resourceVersion: string } };
    await create(CM, { metadata: { name: 'w1', labels: { watched: 'y' } } });
    await request(c, 'PATCH', `${CM}/w1`, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { watched: null } } },
    });
    const events = await watchEvents(
      c,
      `${CM}?watch=true&labelSelector=watched&resourceVersion=${start.metadata.resourceVersion}`,
      (e) => e.length >= 2,
    );
    expect(events.map((e) => `${e.type} ${(e.object.metadata as { name: string }).name}`)).toEqual([
      'ADDED w1',
      'DELETED w1',
    ]);
    const bookmarks = await watchEvents(
      c,
      `${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${start.metadata.resourceVersion}`,
      (e) => e.some((x) => x.type === 'BOOKMARK'),
      3000,
    );
    expect(bookmarks.at(-1)?.type).toBe('BOOKMARK');
    c.sim.faults.expireResourceVersions();
    const expired = await watchEvents(
      c,
      `${CM}?watch=true&resourceVersion=${start.metadata.resourceVersion}`,
      (e) => e.length > 0,
    );
    expect(expired[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('answers kubectl-style Table requests with the CRD printer columns', async () => {
    await request(c, 'PATCH', `${SDJ}/gen/status`, {
      contentType: 'application/merge-patch+json',
      body: { status: { imagesDone: 12 } },
    });
    const r = await request(c, 'GET', `${SDJ}/gen`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    const table = r.body as {
      kind: string;
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.filter((d) => d.priority === 0).map((d) => d.name)).toEqual([
      'Name',
      'Phase',
      'Progress',
      'Shards',
      'Images',
      'Age',
    ]);
    expect(table.rows[0]!.cells.slice(0, 5)).toEqual(['gen', 'Planning', null, null, 12]);
  });
});

describe('namespaces and CRDs', () => {
  it('terminates a namespace: refuses new content, deletes what is in it, then goes', async () => {
    await c.kubectl(['create', 'namespace', 'doomed']);
    await create('/api/v1/namespaces/doomed/configmaps', {
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    await request(c, 'DELETE', '/api/v1/namespaces/doomed');
    const ns = (await request(c, 'GET', '/api/v1/namespaces/doomed')).body as { status: { phase: string } };
    expect(ns.status.phase).toBe('Terminating');
    const refused = await request(c, 'POST', '/api/v1/namespaces/doomed/configmaps', {
      body: { metadata: { name: 'late' } },
    });
    expect(refused.status).toBe(403);
    await request(c, 'PATCH', '/api/v1/namespaces/doomed/configmaps/held', {
      contentType: 'application/merge-patch+json',
      body: { metadata: { finalizers: null } },
    });
    await eventually(async () => expect((await request(c, 'GET', '/api/v1/namespaces/doomed')).status).toBe(404));
  });

  it('deletes the custom resources of a deleted CRD and stops serving the kind', async () => {
    await c.kubectl(['create', 'namespace', 'crdgone']);
    const tj = '/apis/id3.sfr.dev/v1alpha1/namespaces/crdgone/id3trainingjobs';
    await create(tj, trainingJob('t').obj());
    await request(c, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/id3trainingjobs.id3.sfr.dev');
    await eventually(async () => expect((await request(c, 'GET', tj)).status).toBe(404));
    expect(c.sim.object('id3.sfr.dev/v1alpha1', 'ID3TrainingJob', 'crdgone', 't')).toBeUndefined();
  });
});
