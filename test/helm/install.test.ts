/**
 * The chart installed on the API emulator with RBAC enforced, and the operator run from its Deployment under its
 * ServiceAccount: a missing permission shows (no leader, a job that never succeeds, no events, a 403 in the
 * operator's own request metrics), and so does an excessive one (kubectl auth can-i as the ServiceAccount, for
 * everything the operator must not do). Workers are a no-op image (`true`): this is about the control plane's rights.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRenderer, renderChart } from '../../scripts/chart-render.ts';
import { datasetJob } from '../builders.ts';
import { eventually, startCluster, type TestCluster } from '../kube/harness.ts';
import { httpGet, installChart, kubectlOk, type OperatorPod, podLogTail, runDeployment } from './install.ts';

const RELEASE_NS = 'id3-system';
const SA = `system:serviceaccount:${RELEASE_NS}:id3-operator`;
// The emulator's pods are processes on this machine, so the jobs' local outputs survive them.
const WORKER = [
  'workerImage.repository=kube-sim/worker,workerImage.tag=noop',
  'operator.extraArgs[0]=--allow-local-output',
];
const NOOP_WORKER = { 'kube-sim/worker:noop': { entrypoint: ['true'] } };

let scratch: string;
beforeAll(() => {
  ensureRenderer();
  scratch = mkdtempSync(join(tmpdir(), 'id3-helm-install-'));
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A small dataset job in `namespace`, writing to a local folder (no S3 needed for the control plane). */
async function runJob(c: TestCluster, namespace: string, name: string): Promise<void> {
  const job = datasetJob(name)
    .namespace(namespace)
    .identities(4, 1)
    .shards(2, 2)
    .checkpoint(join(scratch, 'model'))
    .output(join(scratch, name))
    .obj();
  await kubectlOk(c, ['create', '-f', '-'], JSON.stringify(job));
}

async function phaseOf(c: TestCluster, namespace: string, name: string): Promise<string> {
  const r = await c.kubectl(['get', 'sdj', name, '-n', namespace, '-o', 'jsonpath={.status.phase}']);
  return r.stdout.trim();
}

/** `kubectl auth can-i` as the operator's ServiceAccount (impersonated by the admin). */
async function can(c: TestCluster, ...args: string[]): Promise<string> {
  const r = await c.kubectl(['auth', 'can-i', ...args, `--as=${SA}`]);
  return r.stdout.trim();
}

async function metricsOf(pod: OperatorPod): Promise<string> {
  const r = await httpGet(`${pod.url}/metrics`);
  expect(r.status).toBe(200);
  return r.body;
}

describe('cluster-wide install: two replicas, leader election, RBAC enforced', () => {
  let c: TestCluster;
  let pods: OperatorPod[] = [];

  beforeAll(async () => {
    c = await startCluster({ rbac: true, images: NOOP_WORKER });
    const objs = renderChart({ namespace: RELEASE_NS, includeCrds: true, set: WORKER });
    await installChart(c, objs, RELEASE_NS);
    await kubectlOk(c, ['create', 'namespace', 'faces']);
    pods = await runDeployment(c, { namespace: RELEASE_NS, name: 'id3-operator', extraImages: NOOP_WORKER });
  }, 120_000);
  afterAll(async () => c?.stop());

  const logs = () => pods.map((p) => `--- ${p.name}\n${podLogTail(c, p)}`).join('\n');

  it('elects one leader through the Lease in the release namespace; both replicas are live and ready', async () => {
    const holder = await eventually(
      async () => {
        const r = await c.kubectl([
          'get',
          'lease',
          'id3-operator-leader',
          '-n',
          RELEASE_NS,
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ]);
        expect(r.stdout.trim(), logs()).not.toBe('');
        return r.stdout.trim();
      },
      60_000,
      250,
    );
    // The identity is the host name plus a random suffix: in a pod, the pod's name.
    expect(holder).toMatch(/-[0-9a-f]{8}$/);
    for (const pod of pods) {
      await eventually(async () => expect((await httpGet(`${pod.url}/readyz`)).status, logs()).toBe(200), 30_000, 250);
      expect((await httpGet(`${pod.url}/healthz`)).status).toBe(200);
    }
    const leaders = await Promise.all(
      pods.map(async (p) => /^leader_election_master_status\{[^}]*\} 1$/m.test(await metricsOf(p))),
    );
    expect(leaders.filter(Boolean)).toHaveLength(1);
  }, 90_000);

  it('runs a job in another namespace to Succeeded with only the chart’s rights, and records events', async () => {
    await runJob(c, 'faces', 'rbac-cluster');
    await eventually(
      async () => expect(await phaseOf(c, 'faces', 'rbac-cluster'), logs()).toBe('Succeeded'),
      60_000,
      250,
    );
    const jobs = await kubectlOk(c, ['get', 'jobs', '-n', 'faces', '-l', 'id3.sfr.dev/job=rbac-cluster', '-o', 'name']);
    expect(jobs.trim().split('\n').sort()).toEqual([
      'job.batch/rbac-cluster-finalize',
      'job.batch/rbac-cluster-generate',
      'job.batch/rbac-cluster-plan',
    ]);
    const reasons = await kubectlOk(c, [
      'get',
      'events',
      '-n',
      'faces',
      '--field-selector',
      'involvedObject.name=rbac-cluster',
      '-o',
      'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
    ]);
    expect(reasons).toContain('Succeeded');
    // No call of either replica was refused: every permission it used was granted.
    for (const pod of pods)
      expect(await metricsOf(pod)).not.toMatch(/id3_operator_api_requests_total\{[^}]*code="403"/);
  }, 90_000);

  it('fails over: when the leader pod is deleted, the other replica takes the Lease and runs the next job', async () => {
    const isLeader = async (p: OperatorPod) => /^leader_election_master_status\{[^}]*\} 1$/m.test(await metricsOf(p));
    const leader = (await Promise.all(pods.map(isLeader))).indexOf(true);
    expect(leader).toBeGreaterThanOrEqual(0);
    const before = await kubectlOk(c, [
      'get',
      'lease',
      'id3-operator-leader',
      '-n',
      RELEASE_NS,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    // Graceful deletion: SIGTERM, the operator finishes its reconciles and releases the Lease.
    await kubectlOk(c, ['delete', 'pod', pods[leader]!.name, '-n', RELEASE_NS, '--wait=false']);
    const standby = pods[1 - leader]!;
    await eventually(async () => expect(await isLeader(standby), logs()).toBe(true), 30_000, 250);
    const after = await kubectlOk(c, [
      'get',
      'lease',
      'id3-operator-leader',
      '-n',
      RELEASE_NS,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(after).not.toBe(before);
    await runJob(c, 'faces', 'after-failover');
    await eventually(
      async () => expect(await phaseOf(c, 'faces', 'after-failover'), logs()).toBe('Succeeded'),
      60_000,
      250,
    );
  }, 90_000);

  it.each(
    [
      { args: ['get', 'secrets', '-n', 'faces'], want: 'yes' },
      { args: ['list', 'secrets', '-n', 'faces'], want: 'no' },
      { args: ['watch', 'secrets', '-n', 'faces'], want: 'no' },
      { args: ['create', 'secrets', '-n', 'faces'], want: 'no' },
      { args: ['list', 'syntheticdatasetjobs.id3.sfr.dev', '-A'], want: 'yes' },
      { args: ['create', 'syntheticdatasetjobs.id3.sfr.dev', '-n', 'faces'], want: 'no' },
      { args: ['update', 'syntheticdatasetjobs.id3.sfr.dev', '-n', 'faces'], want: 'no' },
      { args: ['patch', 'id3trainingjobs.id3.sfr.dev', '--subresource=status', '-n', 'faces'], want: 'yes' },
      { args: ['create', 'jobs.batch', '-n', 'faces'], want: 'yes' },
      { args: ['update', 'jobs.batch', '-n', 'faces'], want: 'no' },
      { args: ['create', 'pods', '-n', 'faces'], want: 'no' },
      { args: ['delete', 'pods', '-n', 'faces'], want: 'no' },
      { args: ['get', 'configmaps', '-n', 'faces'], want: 'no' },
      { args: ['create', 'leases.coordination.k8s.io', '-n', RELEASE_NS], want: 'yes' },
      { args: ['update', 'leases.coordination.k8s.io/id3-operator-leader', '-n', RELEASE_NS], want: 'yes' },
      { args: ['update', 'leases.coordination.k8s.io/another-lease', '-n', RELEASE_NS], want: 'no' },
      { args: ['create', 'leases.coordination.k8s.io', '-n', 'faces'], want: 'no' },
      { args: ['get', 'leases.coordination.k8s.io/id3-operator-leader', '-n', 'kube-system'], want: 'no' },
      { args: ['create', 'deployments.apps', '-n', RELEASE_NS], want: 'no' },
      { args: ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', 'faces'], want: 'no' },
      { args: ['get', 'nodes'], want: 'no' },
    ].map((c) => ({ ...c, name: c.args.join(' ') })),
  )('kubectl auth can-i $name as the operator: $want', async ({ args, want }) => {
    expect(await can(c, ...args)).toBe(want);
  });
});

describe('namespace-scoped install: Roles in the watched namespace only', () => {
  let c: TestCluster;
  let pods: OperatorPod[] = [];

  beforeAll(async () => {
    c = await startCluster({ rbac: true, images: NOOP_WORKER });
    await kubectlOk(c, ['create', 'namespace', 'faces']);
    const objs = renderChart({
      namespace: RELEASE_NS,
      includeCrds: true,
      set: [...WORKER, 'watchNamespace=faces,replicaCount=1'],
    });
    await installChart(c, objs, RELEASE_NS);
    pods = await runDeployment(c, { namespace: RELEASE_NS, name: 'id3-operator', extraImages: NOOP_WORKER });
  }, 120_000);
  afterAll(async () => c?.stop());

  it('runs a job in the watched namespace to Succeeded without any cluster-wide right', async () => {
    await runJob(c, 'faces', 'rbac-scoped');
    const logs = () => podLogTail(c, pods[0]!);
    await eventually(
      async () => expect(await phaseOf(c, 'faces', 'rbac-scoped'), logs()).toBe('Succeeded'),
      90_000,
      250,
    );
    expect(await metricsOf(pods[0]!)).not.toMatch(/id3_operator_api_requests_total\{[^}]*code="403"/);
    expect(await can(c, 'list', 'syntheticdatasetjobs.id3.sfr.dev', '-n', 'faces')).toBe('yes');
    expect(await can(c, 'list', 'syntheticdatasetjobs.id3.sfr.dev', '-A')).toBe('no');
    expect(await can(c, 'get', 'secrets', '-n', 'default')).toBe('no');
    expect(await can(c, 'create', 'jobs.batch', '-n', 'default')).toBe('no');
  }, 120_000);
});
