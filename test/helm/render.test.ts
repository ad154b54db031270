/**
 * The chart rendered with Helm's engines (scripts/chart-renderer: Go text/template + sprig) under default and
 * non-default values: every object valid against the Kubernetes OpenAPI schemas, the security and wiring properties
 * that matter (restricted pods, selectors that select, probes on the metrics port, the operator's flags), RBAC equal
 * to the least-privilege set, and values refused by values.schema.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { admitOrThrow } from '../../api/index.ts';
import { buildStageJob } from '../../operator/children/stage-job.ts';
import {
  CHART_DIR,
  ChartValuesError,
  ensureRenderer,
  type KubeManifest,
  REPO,
  type RenderOptions,
  renderChart,
  renderNotes,
} from '../../scripts/chart-render.ts';
import { stageGraph, workerJob } from '../../workflow/index.ts';
import { datasetJob } from '../builders.ts';
import { byKind, one, restrictedViolations, schemaErrors, selects } from './manifests.ts';
import { CLUSTER_RULES, LEASE_RULES, normalizeRules } from './rbac-rules.ts';

const PRODUCTION = join(import.meta.dirname, 'values', 'production.yaml');
const NS = 'id3-system';

// biome-ignore lint/suspicious/noExplicitAny: assertions read deep fields of rendered, untyped YAML
type Json = Record<string, any>;

function render(o: RenderOptions = {}): KubeManifest[] {
  return renderChart({ namespace: NS, ...o });
}

const names = (objs: KubeManifest[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();

function deploymentOf(objs: KubeManifest[]): Json {
  return one(objs, 'Deployment') as Json;
}

function argsOf(objs: KubeManifest[]): string[] {
  return deploymentOf(objs).spec.template.spec.containers[0].args;
}

beforeAll(() => {
  ensureRenderer();
}, 120_000);

const BASE = [
  'ClusterRole/id3-editor',
  'ClusterRole/id3-viewer',
  'ConfigMap/id3-operator-dashboard-data-plane',
  'ConfigMap/id3-operator-dashboard-jobs',
  'ConfigMap/id3-operator-dashboard-operator',
  'Deployment/id3-operator',
  'PodDisruptionBudget/id3-operator',
  'Role/id3-operator-leader-election',
  'RoleBinding/id3-operator-leader-election',
  'Service/id3-operator-metrics',
  'ServiceAccount/id3-operator',
];

const SCENARIOS: { name: string; options: RenderOptions; want: string[] }[] = [
  {
    name: 'defaults',
    options: {},
    want: [...BASE, 'ClusterRole/id3-operator', 'ClusterRoleBinding/id3-operator'].sort(),
  },
  {
    name: 'defaults with CRDs',
    options: { includeCrds: true },
    want: [
      ...BASE,
      'ClusterRole/id3-operator',
      'ClusterRoleBinding/id3-operator',
      'CustomResourceDefinition/id3trainingjobs.id3.sfr.dev',
      'CustomResourceDefinition/syntheticdatasetjobs.id3.sfr.dev',
    ].sort(),
  },
  {
    name: 'namespace-scoped',
    options: { set: ['watchNamespace=faces'] },
    want: [...BASE, 'Role/id3-operator', 'RoleBinding/id3-operator'].sort(),
  },
  {
    name: 'monitors and alerts',
    options: {
      set: ['metrics.serviceMonitor.enabled=true,metrics.podMonitor.enabled=true', 'prometheusRule.enabled=true'],
    },
    want: [
      ...BASE,
      'ClusterRole/id3-operator',
      'ClusterRoleBinding/id3-operator',
      'PodMonitor/id3-operator-workers',
      'PrometheusRule/id3-operator',
      'ServiceMonitor/id3-operator',
    ].sort(),
  },
  {
    name: 'one replica, no leader election, no dashboards, no user roles',
    options: {
      set: [
        'replicaCount=1,operator.leaderElection.enabled=false',
        'dashboards.enabled=false,rbac.userRoles.create=false',
      ],
    },
    want: [
      'ClusterRole/id3-operator',
      'ClusterRoleBinding/id3-operator',
      'Deployment/id3-operator',
      'Service/id3-operator-metrics',
      'ServiceAccount/id3-operator',
    ],
  },
  {
    name: 'production values file',
    options: { valueFiles: [PRODUCTION], releaseName: 'ml' },
    want: [
      'ClusterRole/id3',
      'ClusterRole/id3-editor',
      'ClusterRole/id3-viewer',
      'ClusterRoleBinding/id3',
      'ConfigMap/id3-dashboard-data-plane',
      'ConfigMap/id3-dashboard-jobs',
      'ConfigMap/id3-dashboard-operator',
      'Deployment/id3',
      'PodDisruptionBudget/id3',
      'PodMonitor/id3-workers',
      'PrometheusRule/id3',
      'Role/id3-leader-election',
      'RoleBinding/id3-leader-election',
      'Service/id3-metrics',
      'ServiceAccount/id3',
      'ServiceMonitor/id3',
    ].sort(),
  },
];

describe('the chart renders valid objects', () => {
  it.each(SCENARIOS)('$name', ({ options, want }) => {
    const objs = render(options);
    expect(names(objs)).toEqual([...want].sort());
    expect(objs.flatMap(schemaErrors)).toEqual([]);
    const pod = deploymentOf(objs).spec.template.spec;
    expect(restrictedViolations(pod)).toEqual([]);
    for (const o of objs) {
      if (o.kind === 'CustomResourceDefinition' || o.kind.startsWith('Cluster')) continue;
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeTruthy();
    }
  });

  it('keeps crds/ identical to the repository CRDs (one source of truth)', () => {
    const files = readdirSync(join(REPO, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect(readdirSync(join(CHART_DIR, 'crds')).sort()).toEqual(files.sort());
    for (const f of files) {
      const chart = readFileSync(join(CHART_DIR, 'crds', f), 'utf8');
      expect(chart, `helm/id3-operator/crds/${f} differs: npm run gen:api`).toBe(
        readFileSync(join(REPO, 'crds', f), 'utf8'),
      );
    }
  });

  it('deploys the version of this repository', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Json;
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Json;
    expect(chart.appVersion).toBe(pkg.version);
    const container = deploymentOf(render()).spec.template.spec.containers[0];
    expect(container.image).toBe(`ghcr.io/sfr/id3-operator:${pkg.version}`);
    expect(container.args).toContain(`--worker-image=ghcr.io/sfr/id3-worker:${pkg.version}`);
  });
});

describe('the operator Deployment', () => {
  it('runs two leader-elected replicas, hardened, probed on the metrics port, spread over nodes', () => {
    const objs = render();
    const d = deploymentOf(objs);
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(d.spec.replicas).toBe(2);
    expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
    expect(c.args).toEqual([
      'operator',
      '--worker-image=ghcr.io/sfr/id3-worker:0.1.0',
      '--metrics-bind-address=:8080',
      '--concurrency=4',
      '--progress-interval=15s',
      '--log-level=info',
      '--leader-election-id=id3-operator-leader',
    ]);
    expect(c.env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    expect(c.env).toContainEqual({ name: 'ID3_LOG_FORMAT', value: 'json' });
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    // tsx caches compiled sources in TMPDIR: the one writable path, a memory-bounded emptyDir.
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(c.resources.limits.memory).toBeDefined();
    expect(pod.serviceAccountName).toBe(one(objs, 'ServiceAccount').metadata.name);
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: d.spec.selector.matchLabels },
      },
    ]);
    const pdb = one(objs, 'PodDisruptionBudget') as Json;
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    const svc = one(objs, 'Service') as Json;
    expect(selects(svc.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
  });

  it.each([
    { name: 'namespace-scoped', set: ['watchNamespace=faces'], has: ['--namespace=faces'], lacks: [] as string[] },
    {
      name: 'without leader election',
      set: ['replicaCount=1,operator.leaderElection.enabled=false'],
      has: ['--no-leader-elect'],
      lacks: ['--leader-election-id=id3-operator-leader'],
    },
    {
      name: 'a named Lease and extra flags',
      set: ['operator.leaderElection.leaseName=my-lease', 'operator.extraArgs={--log-level=debug}'],
      has: ['--leader-election-id=my-lease', '--log-level=debug'],
      lacks: [],
    },
  ])('passes the right flags: $name', ({ set, has, lacks }) => {
    const args = argsOf(render({ set }));
    for (const a of has) expect(args).toContain(a);
    for (const a of lacks) expect(args).not.toContain(a);
  });

  it('takes --set lists, escaped dots, typed and string values, and null to delete a default', () => {
    const objs = render({
      set: [
        'tolerations[0].key=nvidia.com/gpu,tolerations[0].operator=Exists',
        'nodeSelector.kubernetes\\.io/os=linux',
        'resources.limits=null',
        'replicaCount=3',
      ],
      setString: ['podAnnotations.replicas=3'],
    });
    const d = deploymentOf(objs);
    const pod = d.spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' } });
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.metadata.annotations).toEqual({ replicas: '3' });
  });

  it('pins images by digest and takes the production values file', () => {
    const objs = render({ valueFiles: [PRODUCTION], releaseName: 'ml' });
    const pod = deploymentOf(objs).spec.template.spec;
    expect(pod.containers[0].image).toBe(
      'registry.example.com/ml/id3-operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(pod.containers[0].args).toContain('--worker-image=registry.example.com/ml/id3-worker:0.1.0-cuda11.8');
    expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(one(objs, 'ServiceAccount').metadata.annotations).toEqual({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/id3-operator',
    });
    for (const cm of byKind(objs, 'ConfigMap')) {
      expect(cm.metadata.namespace).toBe('monitoring');
      expect(cm.metadata.annotations).toEqual({ grafana_folder: 'ID3' });
    }
  });
});

describe('RBAC', () => {
  it('grants the operator exactly the least-privilege rules, cluster-wide by default', () => {
    const objs = render();
    expect(normalizeRules(one(objs, 'ClusterRole', 'id3-operator').rules)).toEqual(normalizeRules(CLUSTER_RULES));
    const lease = one(objs, 'Role', 'id3-operator-leader-election');
    expect(lease.metadata.namespace).toBe(NS);
    expect(normalizeRules(lease.rules)).toEqual(normalizeRules(LEASE_RULES('id3-operator-leader')));
    const binding = one(objs, 'ClusterRoleBinding') as Json;
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'id3-operator',
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'id3-operator', namespace: NS }]);
  });

  it('uses Roles in the watched namespace only when namespace-scoped', () => {
    const objs = render({ set: ['watchNamespace=faces'] });
    const role = one(objs, 'Role', 'id3-operator');
    expect(role.metadata.namespace).toBe('faces');
    expect(normalizeRules(role.rules)).toEqual(normalizeRules(CLUSTER_RULES));
    expect(one(objs, 'RoleBinding', 'id3-operator').metadata.namespace).toBe('faces');
    // The only ClusterRoles left are the user-facing aggregated ones, bound to nobody by the chart.
    expect(names(byKind(objs, 'ClusterRole'))).toEqual(['ClusterRole/id3-editor', 'ClusterRole/id3-viewer']);
    expect(byKind(objs, 'ClusterRoleBinding')).toEqual([]);
  });

  it('never uses wildcards, and aggregates the user roles into admin/edit and view', () => {
    for (const objs of [render(), render({ set: ['watchNamespace=faces'] })]) {
      for (const role of [...byKind(objs, 'Role'), ...byKind(objs, 'ClusterRole')]) {
        for (const r of role.rules as Json[]) {
          for (const list of [r.apiGroups, r.resources, r.verbs, r.resourceNames ?? []])
            expect(list, `${role.kind}/${role.metadata.name}`).not.toContain('*');
        }
      }
    }
    const objs = render();
    const editor = one(objs, 'ClusterRole', 'id3-editor');
    const viewer = one(objs, 'ClusterRole', 'id3-viewer');
    expect(editor.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    });
    expect(viewer.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    expect(viewer.metadata.labels).not.toHaveProperty('rbac.authorization.k8s.io/aggregate-to-edit');
    const viewerVerbs = (viewer.rules as Json[]).flatMap((r) => r.verbs as string[]);
    expect(new Set(viewerVerbs)).toEqual(new Set(['get', 'list', 'watch']));
  });
});

describe('monitoring', () => {
  const enabled = ['metrics.serviceMonitor.enabled=true,metrics.podMonitor.enabled=true,prometheusRule.enabled=true'];

  it('scrapes the operator Service and the worker pods the operator actually builds', () => {
    const objs = render({ set: enabled });
    const sm = one(objs, 'ServiceMonitor') as Json;
    const svc = one(objs, 'Service') as Json;
    expect(selects(sm.spec.selector.matchLabels, svc.metadata.labels)).toBe(true);
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: [NS] });
    expect(svc.spec.ports.map((p: Json) => p.name)).toContain(sm.spec.endpoints[0].port);
    const pm = one(objs, 'PodMonitor') as Json;
    const job = admitOrThrow(datasetJob('faces').namespace('ml').set('metadata.uid', 'u1').obj());
    const stage = stageGraph(job).find((s) => s.name === 'generate')!;
    const built = buildStageJob(job, stage, { workerImage: 'w:1', workerJob: workerJob(job) }) as Json;
    const template = built.spec.template;
    expect(selects(pm.spec.selector.matchLabels, template.metadata.labels)).toBe(true);
    expect(template.spec.containers[0].ports.map((p: Json) => p.name)).toContain(pm.spec.podMetricsEndpoints[0].port);
    expect(pm.spec.namespaceSelector).toEqual({ any: true });
    const scoped = one(render({ set: [...enabled, 'watchNamespace=faces'] }), 'PodMonitor') as Json;
    expect(scoped.spec.namespaceSelector).toEqual({ matchNames: ['faces'] });
  });

  it('ships the alerts file unchanged as the PrometheusRule', () => {
    const rule = one(render({ set: enabled }), 'PrometheusRule') as Json;
    const file = parse(readFileSync(join(CHART_DIR, 'alerts', 'id3-operator.rules.yaml'), 'utf8'));
    expect(rule.spec).toEqual(file);
  });

  it('ships every dashboard as a ConfigMap for the Grafana sidecar', () => {
    const files = readdirSync(join(CHART_DIR, 'dashboards')).filter((f) => f.endsWith('.json'));
    const cms = byKind(
      render({ set: ['dashboards.label=grafana_dashboard_id3', 'dashboards.labelValue=yes'] }),
      'ConfigMap',
    );
    expect(cms).toHaveLength(files.length);
    for (const f of files) {
      const cm = cms.find((c) => (c as Json).data[f] !== undefined) as Json;
      expect(cm, f).toBeDefined();
      expect(cm.metadata.labels.grafana_dashboard_id3).toBe('yes');
      expect(JSON.parse(cm.data[f])).toEqual(JSON.parse(readFileSync(join(CHART_DIR, 'dashboards', f), 'utf8')));
    }
  });
});

describe('values', () => {
  it.each([
    { name: 'replicaCount as a string', set: ['replicaCount=two'], error: 'replicaCount: must be integer' },
    { name: 'an unknown top-level key', set: ['replicas=2'], error: 'must NOT have additional properties: replicas' },
    { name: 'a misspelt nested key', set: ['operator.concurrrency=2'], error: 'operator: must NOT have additional' },
    { name: 'a bad log level', set: ['operator.logLevel=loud'], error: 'operator.logLevel: must be equal to one of' },
    { name: 'a namespace that is no DNS label', set: ['watchNamespace=Faces'], error: 'watchNamespace: must match' },
    {
      name: 'a bad duration',
      set: ['operator.progressInterval=15sec'],
      error: 'operator.progressInterval: must match',
    },
    { name: 'a bad digest', set: ['image.digest=sha256:abc'], error: 'image.digest: must match' },
    { name: 'a bad quantity', set: ['resources.limits.memory=lots'], error: 'resources.limits.memory' },
    { name: 'a flag without dashes', set: ['operator.extraArgs={verbose}'], error: 'operator.extraArgs.0: must match' },
  ])('refuses $name', ({ set, error }) => {
    let caught: unknown;
    try {
      render({ set });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ChartValuesError);
    expect((caught as ChartValuesError).errors.join('\n')).toContain(error);
  });

  it('fails with the message of `required` and of the kubeVersion constraint', () => {
    expect(() => render({ set: ['serviceAccount.create=false'] })).toThrow(
      'serviceAccount.name is required when serviceAccount.create is false',
    );
    const objs = render({ set: ['serviceAccount.create=false,serviceAccount.name=existing'] });
    expect(byKind(objs, 'ServiceAccount')).toEqual([]);
    expect(deploymentOf(objs).spec.template.spec.serviceAccountName).toBe('existing');
    expect(() => render({ kubeVersion: 'v1.27.3' })).toThrow('chart requires kubeVersion: >=1.29.0-0');
  });

  it('are all documented in the chart README, and the README documents no value that does not exist', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Values'), readme.indexOf('\n## ', readme.indexOf('## Values') + 1));
    const rows = [...section.matchAll(/^\| `([\w.]+)` \|/gm)].map((m) => m[1]!);
    const defaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Json;
    const leaves = (o: Json, prefix = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0
          ? leaves(v, `${prefix}${k}.`)
          : [`${prefix}${k}`],
      );
    // A value is documented by its own row or by a row of the map it belongs to (resources, probes...).
    const documented = (path: string) =>
      path.split('.').some((_, i, parts) => rows.includes(parts.slice(0, i + 1).join('.')));
    expect(leaves(defaults).filter((p) => !documented(p))).toEqual([]);
    const exists = (path: string) =>
      path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Json)[k] : undefined), defaults) !==
      undefined;
    expect(rows.filter((r) => !exists(r))).toEqual([]);
  });

  it('renders NOTES.txt for both scopes', () => {
    expect(renderNotes({ namespace: NS })).toContain(
      'It watches ID3TrainingJobs and SyntheticDatasetJobs in every namespace.',
    );
    const scoped = renderNotes({ namespace: NS, set: ['watchNamespace=faces'] });
    expect(scoped).toContain('in namespace "faces" only');
    expect(scoped).toContain(`kubectl -n ${NS} get lease id3-operator-leader`);
  });
});
