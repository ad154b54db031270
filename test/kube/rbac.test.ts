/**
 * RBAC for ServiceAccount tokens: a token from `kubectl create token` is refused what no binding grants, in the API
 * server's words; Roles grant within their namespace, ClusterRoles through ClusterRoleBindings everywhere, rules can
 * name subresources; the client library's informer works with a token that may list and watch.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, request, startCluster, type TestCluster } from './harness.ts';

let c: TestCluster;
let token = '';
const USER = 'system:serviceaccount:id3-system:operator';

beforeAll(async () => {
  // kubectl sends tokens only over TLS.
  c = await startCluster({ rbac: true, tls: true });
  for (const args of [
    ['create', 'namespace', 'id3-system'],
    ['create', 'namespace', 'faces'],
    ['create', 'serviceaccount', 'operator', '-n', 'id3-system'],
  ]) {
    expect((await c.kubectl(args)).code).toBe(0);
  }
  const t = await c.kubectl(['create', 'token', 'operator', '-n', 'id3-system']);
  token = t.stdout.trim();
  expect(token).not.toBe('');
});
afterAll(async () => c?.stop());

it('refuses what no binding grants, with the API server message', async () => {
  const r = await c.kubectl(['get', 'pods', '-n', 'faces'], { token });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain(
    `pods is forbidden: User "${USER}" cannot list resource "pods" in API group "" in the namespace "faces"`,
  );
  const bogus = await request(c, 'GET', '/api/v1/namespaces/faces/pods', { token: 'not-a-token' });
  expect(bogus.status).toBe(401);
});

it('grants by Role in one namespace, by ClusterRole everywhere, and per subresource', async () => {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'jobs', namespace: 'faces' },
    rules: [
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create'] },
      { apiGroups: ['batch'], resources: ['jobs/status'], verbs: ['patch'] },
    ],
  };
  const binding = (kind: string, name: string, roleKind: string, ns?: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: 'id3-system' }],
  });
  const clusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'id3-reader' },
    rules: [
      { apiGroups: ['id3.sfr.dev'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ],
  };
  const docs = [
    role,
    binding('RoleBinding', 'jobs', 'Role', 'faces'),
    clusterRole,
    binding('ClusterRoleBinding', 'id3-reader', 'ClusterRole'),
  ];
  expect((await c.kubectl(['apply', '-f', '-'], { stdin: docs.map((d) => JSON.stringify(d)).join('\n') })).code).toBe(
    0,
  );
  const can = async (method: string, path: string, body?: unknown, contentType?: string) =>
    (await request(c, method, path, { token, body, contentType })).status;
  await eventually(async () => expect(await can('GET', '/apis/batch/v1/namespaces/faces/jobs')).toBe(200));
  expect(await can('GET', '/apis/batch/v1/namespaces/default/jobs')).toBe(403);
  expect(await can('GET', '/api/v1/namespaces/default/pods')).toBe(200);
  expect(await can('DELETE', '/api/v1/namespaces/default/pods/x')).toBe(403);
  const job = {
    metadata: { name: 'j' },
    spec: {
      suspend: true,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } },
    },
  };
  expect(await can('POST', '/apis/batch/v1/namespaces/faces/jobs', job)).toBe(201);
  expect(
    await can('PATCH', '/apis/batch/v1/namespaces/faces/jobs/j/status', { status: {} }, 'application/merge-patch+json'),
  ).toBe(200);
  expect(
    await can('PATCH', '/apis/batch/v1/namespaces/faces/jobs/j', { spec: {} }, 'application/merge-patch+json'),
  ).toBe(403);
});

it('lets an informer list and watch with a ServiceAccount token', async () => {
  const kc = c.kubeConfig(token);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const informer = k8s.makeInformer(kc, '/apis/batch/v1/namespaces/faces/jobs', () =>
    batch.listNamespacedJob({ namespace: 'faces' }),
  );
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  const job = {
    metadata: { name: 'seen' },
    spec: {
      suspend: true,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'busybox' }] } },
    },
  };
  await request(c, 'POST', '/apis/batch/v1/namespaces/faces/jobs', { body: job });
  await eventually(() => expect(informer.get('seen', 'faces')).toBeDefined());
  expect(errors).toEqual([]);
  await informer.stop();
});

it('answers kubectl auth can-i and kubectl --as (impersonation by the admin)', async () => {
  const as = `--as=${USER}`;
  const can = async (...args: string[]) => (await c.kubectl(['auth', 'can-i', ...args, as])).stdout.trim();
  expect(await can('create', 'jobs', '-n', 'faces')).toBe('yes');
  expect(await can('create', 'jobs', '-n', 'default')).toBe('no');
  expect(await can('patch', 'jobs', '--subresource=status', '-n', 'faces')).toBe('yes');
  const denied = await c.kubectl(['delete', 'jobs', '--all', '-n', 'faces', as]);
  expect(denied.stderr).toContain(`User "${USER}" cannot`);
  const impersonatedByOther = await request(c, 'GET', '/api/v1/namespaces/faces/pods', {
    token,
    headers: { 'Impersonate-User': 'admin' },
  });
  expect(impersonatedByOther.status).toBe(403);
});
