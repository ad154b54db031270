/** Unit tests of the emulator's pure parts, as tables of { name, given, want }. */
import { describe, expect, it } from 'vitest';
import { decideJob, formatIndexes, parseIndexes } from './controllers/index.ts';
import type { KubeObject } from './core/index.ts';
import { parseRequestInfo } from './http/index.ts';
import { decodeKubernetesProtobuf } from './http/protobuf.ts';
import { fieldsOf, serverSideApply, strategicMergePatch, toFieldsV1 } from './patch/index.ts';
import { builtinSchema } from './schema/index.ts';
import { parseFieldSelector, parseLabelSelector } from './select/index.ts';
import { Store } from './store/index.ts';
import { compileJsonPath, humanDuration } from './table/index.ts';

describe('label selectors', () => {
  it.each([
    { name: 'equality', given: 'a=1,b!=2', labels: { a: '1', b: '3' }, want: true },
    { name: 'inequality matches absent keys', given: 'b!=2', labels: {}, want: true },
    { name: 'set in', given: 'env in (prod, staging)', labels: { env: 'dev' }, want: false },
    { name: 'set notin', given: 'env notin (prod)', labels: { env: 'dev' }, want: true },
    { name: 'exists and not exists', given: 'a,!b', labels: { a: '', b: 'x' }, want: false },
    { name: 'empty selects everything', given: '', labels: {}, want: true },
  ])('$name', ({ given, labels, want }) =>
    expect(parseLabelSelector(given)(labels as Record<string, string>)).toBe(want),
  );

  it('refuses malformed requirements and unsupported field labels', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(/unable to parse/);
    expect(() => parseFieldSelector('spec.x=1', ['status.phase'])).toThrow('field label not supported: spec.x');
  });
});

describe('kubectl ages', () => {
  it.each([
    { given: 5_000, want: '5s' },
    { given: 119_000, want: '119s' },
    { given: 150_000, want: '2m30s' },
    { given: 600_000, want: '10m' },
    { given: 3 * 3600_000 + 60_000, want: '3h1m' },
    { given: 30 * 3600_000, want: '30h' },
    { given: 50 * 3600_000, want: '2d2h' },
    { given: 400 * 86400_000, want: '400d' },
    { given: 3 * 365 * 86400_000, want: '3y' },
  ])('$given ms is $want', ({ given, want }) => expect(humanDuration(given)).toBe(want));
});

describe('JSONPath of printer columns', () => {
  const obj = {
    status: {
      conditions: [
        { type: 'A', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      phase: 'Running',
    },
    metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
  };
  it.each([
    { given: '.status.phase', want: ['Running'] },
    { given: '.status.conditions[1].type', want: ['Ready'] },
    { given: '.status.conditions[?(@.type=="Ready")].status', want: ['True'] },
    { given: ".metadata.labels['app.kubernetes.io/name']", want: ['x'] },
    { given: '.status.conditions[*].type', want: ['A', 'Ready'] },
    { given: '.status.missing', want: [] },
  ])('$given', ({ given, want }) => expect(compileJsonPath(given)(obj)).toEqual(want));
});

describe('request info', () => {
  it.each([
    { given: ['GET', '/api/v1/namespaces/a/pods'], want: { resource: 'pods', namespace: 'a', verb: 'list' } },
    { given: ['GET', '/api/v1/namespaces/a'], want: { resource: 'namespaces', name: 'a', verb: 'get' } },
    {
      given: ['PUT', '/api/v1/namespaces/a/finalize'],
      want: { resource: 'namespaces', name: 'a', subresource: 'finalize', verb: 'update' },
    },
    {
      given: ['GET', '/apis/batch/v1/namespaces/a/jobs?watch=1'],
      want: { group: 'batch', resource: 'jobs', verb: 'watch' },
    },
    {
      given: ['PATCH', '/apis/batch/v1/namespaces/a/jobs/j/status'],
      want: { name: 'j', subresource: 'status', verb: 'patch' },
    },
    {
      given: ['DELETE', '/api/v1/namespaces/a/configmaps'],
      want: { resource: 'configmaps', verb: 'deletecollection' },
    },
  ])('$given.1', ({ given, want }) => {
    expect(parseRequestInfo(given[0]!, new URL(given[1]!, 'http://x'))).toMatchObject({ kind: 'resource', ...want });
  });
});

describe('strategic merge patch', () => {
  const pod = builtinSchema('V1Pod')!;
  const original = {
    metadata: { finalizers: ['a', 'b'], labels: { x: '1', y: '2' } },
    spec: {
      containers: [
        { name: 'm', image: 'i:1', env: [{ name: 'A', value: '1' }] },
        { name: 's', image: 'j:1' },
      ],
      tolerations: [{ key: 't' }],
    },
  };
  it.each([
    {
      name: 'merges containers and env by name',
      given: { spec: { containers: [{ name: 'm', env: [{ name: 'B', value: '2' }] }] } },
      want: {
        containers: [
          {
            name: 'm',
            image: 'i:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 's', image: 'j:1' },
        ],
      },
    },
    {
      name: 'deletes an item with $patch',
      given: { spec: { containers: [{ name: 's', $patch: 'delete' }] } },
      want: { containers: [original.spec.containers[0]] },
    },
    {
      name: 'replaces atomic lists',
      given: { spec: { tolerations: [{ key: 'u' }] } },
      want: { tolerations: [{ key: 'u' }] },
    },
  ])('$name', ({ given, want }) => expect(strategicMergePatch(pod, original, given).spec).toMatchObject(want));

  it('removes nulls, merges primitive sets and honours $deleteFromPrimitiveList', () => {
    const out = strategicMergePatch(pod, original, {
      metadata: { labels: { y: null }, finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] },
    });
    expect(out.metadata).toEqual({ finalizers: ['b', 'c'], labels: { x: '1' } });
  });
});

describe('server-side apply', () => {
  const cm = builtinSchema('V1ConfigMap')!;
  const ctx = (manager: string) => ({ schema: cm, manager, apiVersion: 'v1', statusSubresource: false, time: 't' });
  const obj = (data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data,
  });

  it('records field sets in the fieldsV1 format', () => {
    const pod = builtinSchema('V1Pod')!;
    const set = fieldsOf(pod, { spec: { containers: [{ name: 'm', image: 'i' }] }, metadata: { finalizers: ['f'] } });
    expect(toFieldsV1(set)).toEqual({
      'f:spec': { 'f:containers': { 'k:{"name":"m"}': { '.': {}, 'f:name': {}, 'f:image': {} } } },
      'f:metadata': { 'f:finalizers': { 'v:"f"': {} } },
    });
  });

  it('removes fields a manager stops applying unless another manager owns them', () => {
    const first = serverSideApply(undefined, obj({ a: '1', b: '2' }), [], ctx('op'), false);
    const shared = serverSideApply(first.object, obj({ b: '2' }), first.managedFields, ctx('other'), false);
    const second = serverSideApply(shared.object, obj({}), shared.managedFields, ctx('op'), false);
    expect(second.object.data).toEqual({ b: '2' });
  });

  it('conflicts on a field another manager owns with another value, unless forced', () => {
    const first = serverSideApply(undefined, obj({ a: '1' }), [], ctx('op'), false);
    expect(() => serverSideApply(first.object, obj({ a: '2' }), first.managedFields, ctx('other'), false)).toThrow(
      'Apply failed with 1 conflict: conflict with "op" using v1: .data.a',
    );
    const both = serverSideApply(undefined, obj({ a: '1', b: '1' }), [], ctx('op'), false);
    expect(() =>
      serverSideApply(both.object, obj({ a: '2', b: '2' }), both.managedFields, ctx('other'), false),
    ).toThrow('Apply failed with 2 conflicts: conflicts with "op" using v1:\n- .data.a\n- .data.b');
    const forced = serverSideApply(first.object, obj({ a: '2' }), first.managedFields, ctx('other'), true);
    expect(forced.managedFields.map((e) => e.manager)).toEqual(['other']);
  });
});

describe('Job decisions', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const job = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'j', namespace: 'n', uid: 'u' },
    spec: { parallelism: 2, backoffLimit: 1, completionMode: 'NonIndexed', ...spec },
    status,
  });
  const pod = (phase: string, index?: number, extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: {
      name: `p-${phase}-${index ?? ''}`,
      namespace: 'n',
      finalizers: ['batch.kubernetes.io/job-tracking'],
      annotations: index === undefined ? {} : { 'batch.kubernetes.io/job-completion-index': String(index) },
    },
    status: { phase, ...extra },
  });
  const decide = (j: KubeObject, pods: KubeObject[]) =>
    decideJob({ job: j, pods, now, backoffBaseMs: 0, backoffMaxMs: 0 });

  it.each([
    { name: 'starts up to parallelism', given: { spec: { completions: 5 }, pods: [] as KubeObject[] }, want: 2 },
    {
      name: 'no more than the completions left',
      given: { spec: { completions: 3 }, pods: [pod('Succeeded'), pod('Succeeded')] },
      want: 1,
    },
    { name: 'counts running pods', given: { spec: { completions: 5 }, pods: [pod('Running')] }, want: 1 },
  ])('$name', ({ given, want }) => expect(decide(job(given.spec), given.pods).create).toHaveLength(want));

  it('creates the missing indexes of an Indexed job', () => {
    const plan = decide(
      job({ completionMode: 'Indexed', completions: 4, parallelism: 4 }, { completedIndexes: '0,2' }),
      [pod('Running', 1)],
    );
    expect(plan.create.map((c) => c.index)).toEqual([3]);
  });

  it('marks the failure target past backoffLimit, then fails once no pod runs', () => {
    const failing = decide(job({ completions: 3 }), [pod('Failed'), pod('Failed'), pod('Running')]);
    expect(failing.status.conditions).toEqual([
      expect.objectContaining({ type: 'FailureTarget', reason: 'BackoffLimitExceeded' }),
    ]);
    expect(failing.deletePods).toHaveLength(1);
    const done = decide(job({ completions: 3 }, failing.status), []);
    expect(done.status.conditions).toEqual([
      expect.objectContaining({ type: 'FailureTarget' }),
      expect.objectContaining({ type: 'Failed', reason: 'BackoffLimitExceeded' }),
    ]);
  });

  it('formats and parses index sets', () => {
    expect(formatIndexes([5, 0, 1, 2, 7, 8])).toBe('0-2,5,7-8');
    expect([...parseIndexes('0-2,5')]).toEqual([0, 1, 2, 5]);
  });
});

describe('protobuf bodies', () => {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (no: number, bytes: Buffer) =>
    Buffer.from([...varint((no << 3) | 2), ...varint(bytes.length), ...bytes]);
  const str = (no: number, s: string) => field(no, Buffer.from(s));

  it('decodes a Secret from kubectl create secret', () => {
    const entry = Buffer.concat([str(1, 'KEY'), field(2, Buffer.from('v'))]);
    const meta = Buffer.concat([str(1, 'creds'), str(3, 'faces')]);
    const secret = Buffer.concat([field(1, meta), field(2, entry), str(3, 'Opaque')]);
    const unknown = Buffer.concat([field(1, Buffer.concat([str(1, 'v1'), str(2, 'Secret')])), field(2, secret)]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown]);
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'faces' },
      data: { KEY: Buffer.from('v').toString('base64') },
      type: 'Opaque',
    });
  });
});

describe('store indexes', () => {
  const pod = (name: string, owner?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner, uid: owner, controller: true }] }
        : {}),
    },
  });
  const names = (objects: KubeObject[]) => objects.map((o) => o.metadata.name);
  const byOwner = (o: KubeObject) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);

  it('finds what is there when declared, and follows creates, updates and removals', () => {
    const store = new Store();
    store.create('/pods', pod('a', 'j1'));
    store.index('by-owner', '/pods', byOwner);
    store.create('/pods', pod('c', 'j1'));
    store.create('/pods', pod('b', 'j2'));
    store.create('/pods', pod('free'));
    expect(names(store.listBy('by-owner', 'j1'))).toEqual(['a', 'c']);
    store.update('/pods', pod('c', 'j2')); // re-owned
    expect(names(store.listBy('by-owner', 'j1'))).toEqual(['a']);
    expect(names(store.listBy('by-owner', 'j2'))).toEqual(['b', 'c']);
    store.remove('/pods', 'ns', 'b');
    expect(names(store.listBy('by-owner', 'j2'))).toEqual(['c']);
    expect(store.listBy('by-owner', 'nobody')).toEqual([]);
    // Copies, as list gives: changing one changes nothing stored.
    store.listBy('by-owner', 'j1')[0]!.metadata.name = 'changed';
    expect(names(store.listBy('by-owner', 'j1'))).toEqual(['a']);
  });

  it('is declared once per name and refuses an unknown one', () => {
    const store = new Store();
    store.index('by-owner', '/pods', byOwner);
    store.index('by-owner', '/pods', () => ['other']); // a no-op
    store.create('/pods', pod('a', 'j1'));
    expect(names(store.listBy('by-owner', 'j1'))).toEqual(['a']);
    expect(() => store.listBy('missing', 'x')).toThrow(/no index/);
  });
});
