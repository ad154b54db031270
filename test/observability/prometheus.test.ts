/**
 * The dashboards and alerts against live processes: the chart installed on the API emulator (RBAC enforced), its two
 * operator replicas running from the Deployment, worker pods running the real worker runtime (fake-worker.ts) in the
 * middle of a dataset job's generate stage and a training job's train stage, a third job failing on bad input, and
 * Debian's Prometheus scraping them as the chart's ServiceMonitor and PodMonitor say (honorLabels, path; every second
 * here) with the chart's alerts loaded. Every panel, variable and alert query must parse and every panel and
 * variable must return data; every metric they name must be on the processes' /metrics; `promtool check metrics`
 * must pass on both /metrics outputs; the failed job must fire ID3JobFailed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ensureRenderer, type KubeManifest, REPO, renderChart } from '../../scripts/chart-render.ts';
import { datasetJob, trainingJob } from '../builders.ts';
import {
  freePort,
  httpGet,
  installChart,
  kubectlOk,
  type OperatorPod,
  podLogTail,
  runDeployment,
} from '../helm/install.ts';
import { one } from '../helm/manifests.ts';
import { eventually, startCluster, type TestCluster } from '../kube/harness.ts';
import { PROM_CLIENT_LINT, type PrometheusServer, promtool, sampleNames, startPrometheus } from './prometheus.ts';
import {
  alertQueries,
  dashboardQueries,
  dashboards,
  metricNames,
  type Query,
  substitute,
  variableSelector,
} from './promql.ts';

const NS = 'id3-system';
const JOBS_NS = 'faces';
const MONITORING = new Set(['ServiceMonitor', 'PodMonitor', 'PrometheusRule']);
const FAKE_WORKER = join(import.meta.dirname, 'fake-worker.ts');

let c: TestCluster;
let pods: OperatorPod[] = [];
let prom: PrometheusServer;
let scratch: string;
let objs: KubeManifest[];
const workerPorts: Record<string, number> = {};

/** Scrape jobs as the Prometheus Operator would generate them from the chart's monitors (static targets here). */
function scrapeConfigs(): object[] {
  const sm = one(objs, 'ServiceMonitor') as KubeManifest & { spec: { endpoints: Endpoint[] } };
  const pm = one(objs, 'PodMonitor') as KubeManifest & { spec: { podMetricsEndpoints: Endpoint[] } };
  const svc = one(objs, 'Service');
  const [ep] = sm.spec.endpoints;
  const [pep] = pm.spec.podMetricsEndpoints;
  return [
    {
      job_name: `serviceMonitor/${NS}/${sm.metadata.name}/0`,
      honor_labels: ep!.honorLabels ?? false,
      metrics_path: ep!.path ?? '/metrics',
      static_configs: pods.map((p) => ({
        targets: [new URL(p.url).host],
        labels: { job: svc.metadata.name, namespace: NS, service: svc.metadata.name, pod: p.name, endpoint: ep!.port },
      })),
    },
    {
      job_name: `podMonitor/${NS}/${pm.metadata.name}/0`,
      honor_labels: pep!.honorLabels ?? false,
      metrics_path: pep!.path ?? '/metrics',
      static_configs: Object.values(workerPorts).map((port) => ({
        targets: [`127.0.0.1:${port}`],
        labels: { job: `${NS}/${pm.metadata.name}`, namespace: JOBS_NS, container: 'worker', endpoint: pep!.port },
      })),
    },
  ];
}

interface Endpoint {
  port: string;
  path?: string;
  honorLabels?: boolean;
}

async function createJobs(): Promise<void> {
  const local = (name: string) => join(scratch, 'storage', name);
  const jobs = [
    datasetJob('faces-gen')
      .namespace(JOBS_NS)
      .identities(1000, 1)
      .shards(1, 1)
      .checkpoint(local('model'))
      .output(local('gen')),
    trainingJob('faces-train')
      .namespace(JOBS_NS)
      .steps(1000)
      .set('spec.dataset.uri', local('faces'))
      .set('spec.encoder.uri', local('encoder/model.json'))
      .output(local('train')),
    datasetJob('faces-bad-input').namespace(JOBS_NS).checkpoint(local('model')).output(local('bad')),
  ];
  for (const j of jobs) await kubectlOk(c, ['create', '-f', '-'], JSON.stringify(j.obj()));
}

beforeAll(async () => {
  ensureRenderer();
  scratch = mkdtempSync(join(tmpdir(), 'id3-observability-'));
  objs = renderChart({
    namespace: NS,
    includeCrds: true,
    set: [
      'metrics.serviceMonitor.enabled=true,metrics.podMonitor.enabled=true,prometheusRule.enabled=true',
      'workerImage.repository=kube-sim/worker,workerImage.tag=metrics,operator.progressInterval=1s',
      // The emulator's pods are processes on this machine, so the jobs' local outputs survive them.
      'operator.extraArgs[0]=--allow-local-output',
    ],
  });
  workerPorts.generate = await freePort();
  workerPorts.train = await freePort();
  const worker = {
    'kube-sim/worker:metrics': {
      entrypoint: [process.execPath, '--import', 'tsx', FAKE_WORKER],
      cwd: REPO,
      env: { ID3_TEST_WORKER_PORTS: JSON.stringify(workerPorts), ID3_TEST_RELEASE: join(scratch, 'release') },
    },
  };
  c = await startCluster({ rbac: true, images: worker });
  // The monitoring.coreos.com kinds go to Prometheus below, as the Prometheus Operator would take them.
  await installChart(
    c,
    objs.filter((o) => !MONITORING.has(o.kind)),
    NS,
  );
  await kubectlOk(c, ['create', 'namespace', JOBS_NS]);
  // The first status write fails: a reconcile error and its retry, so the error panels and alerts have data.
  c.sim.faults.failNextWrites(1, 500, (r) => r.subresource === 'status');
  pods = await runDeployment(c, { namespace: NS, name: 'id3-operator', extraImages: worker });
  const rules = join(scratch, 'id3-operator.rules.yaml');
  writeFileSync(rules, stringify(one(objs, 'PrometheusRule').spec));
  prom = await startPrometheus(join(scratch, 'prometheus'), await freePort(), {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [rules],
    scrape_configs: scrapeConfigs(),
  });
  await createJobs();
}, 180_000);

afterAll(async () => {
  if (scratch) writeFileSync(join(scratch, 'release'), '');
  await prom?.stop();
  await c?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const logs = () => pods.map((p) => `--- ${p.name}\n${podLogTail(c, p, 15)}`).join('\n');
const allQueries = (): Query[] => [...dashboardQueries(), ...alertQueries()];
const referenced = () => [...new Set(allQueries().flatMap((q) => metricNames(substitute(q.expr, {}))))].sort();

/**
 * Per dashboard, the value of "All" of each variable: its allValue, or the alternation of what its query finds
 * (variables of one dashboard may use the earlier ones).
 */
async function variableValues(): Promise<Record<string, Record<string, string>>> {
  const all: Record<string, Record<string, string>> = {};
  for (const { file, dashboard } of dashboards()) {
    const values: Record<string, string> = {};
    all[file] = values;
    for (const v of dashboard.templating.list) {
      if (v.type === 'datasource') continue;
      if (v.allValue) {
        values[v.name] = v.allValue;
        continue;
      }
      const selector = variableSelector(v);
      const label = /,\s*([a-zA-Z_]\w*)\s*\)$/.exec(String((v.query as { query?: string })?.query ?? v.query))?.[1];
      if (!selector || !label) throw new Error(`variable ${v.name}: no allValue and no label_values query`);
      const found = await prom.api<string[]>(`label/${label}/values`, { 'match[]': substitute(selector, values) });
      values[v.name] = `(${found.join('|')})`;
    }
  }
  return all;
}

async function scrape(url: string): Promise<string> {
  const r = await httpGet(`${url}/metrics`);
  expect(r.status, url).toBe(200);
  return r.body;
}

const workerUrls = () => Object.values(workerPorts).map((p) => `http://127.0.0.1:${p}`);

describe('Prometheus scraping the operator and workers in the middle of jobs', () => {
  it('collects every metric the dashboards and alerts query, several samples each', async () => {
    const names = referenced();
    await eventually(
      async () => {
        const missing: string[] = [];
        for (const n of names) {
          const r = await prom.query(`min(count_over_time(${n}[1m]))`);
          if (r.status !== 'success' || Number(r.result[0]?.value[1] ?? 0) < 3) missing.push(n);
        }
        expect(missing, `not yet scraped 3 times:\n${logs()}`).toEqual([]);
      },
      120_000,
      1000,
    );
  }, 150_000);

  it('parses every panel, variable and alert query, and every panel and variable returns data', async () => {
    const values = await variableValues();
    // The data plane's job variable lists id3 jobs (the workers' own id3_job label, kept by the PodMonitor's
    // honorLabels), and Prometheus' own scrape job label stays what the PodMonitor makes it.
    const jobs = await prom.api<string[]>('label/id3_job/values', { 'match[]': 'id3_worker_progress_ratio' });
    expect(jobs.sort()).toEqual(['faces-gen', 'faces-train']);
    const scrapeJobs = await prom.api<string[]>('label/job/values', { 'match[]': 'id3_worker_progress_ratio' });
    expect(scrapeJobs).toEqual(['id3-system/id3-operator-workers']);
    const failures: string[] = [];
    for (const q of allQueries()) {
      const expr = substitute(q.expr, q.dashboard ? (values[q.dashboard] ?? {}) : {});
      if (q.kind === 'variable') {
        const series = await prom.api<unknown[]>('series', { 'match[]': expr });
        if (series.length === 0) failures.push(`${q.where}: no series for ${expr}`);
        continue;
      }
      const r = await prom.query(expr);
      if (r.status !== 'success') failures.push(`${q.where}: ${r.error} in ${expr}`);
      else if (q.kind === 'panel' && r.result.length === 0) failures.push(`${q.where}: no data for ${expr}`);
    }
    expect(failures).toEqual([]);
  });

  it('names only metrics that the running operator and workers expose', async () => {
    const exposed = new Set<string>();
    for (const url of [...pods.map((p) => p.url), ...workerUrls()]) {
      for (const n of sampleNames(await scrape(url))) exposed.add(n);
    }
    expect(referenced().filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('passes promtool check metrics on the operator’s and a worker’s /metrics', async () => {
    for (const [url, prefix] of [
      [pods[0]!.url, ''],
      [workerUrls()[0]!, 'id3_worker_'],
    ] as const) {
      const r = await promtool(['check', 'metrics'], { input: await scrape(url) });
      const problems = r.output.trim().split('\n').filter(Boolean).sort();
      expect(problems, url).toEqual(PROM_CLIENT_LINT(prefix).sort());
      // 3 is promtool's exit code for lint problems; anything else (1: unparsable exposition) fails.
      expect(r.code, r.output).toBe(problems.length > 0 ? 3 : 0);
    }
  });

  it('loads and evaluates every alert, and fires ID3JobFailed for the job that failed', async () => {
    const groups = await prom.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(
      'rules',
    );
    const rules = groups.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name).sort()).toEqual(
      alertQueries()
        .map((q) => q.where.replace('alert ', ''))
        .sort(),
    );
    await eventually(async () => {
      const fresh = (await prom.api<{ groups: { rules: { name: string; health: string }[] }[] }>('rules')).groups;
      expect(fresh.flatMap((g) => g.rules).filter((r) => r.health !== 'ok')).toEqual([]);
    }, 10_000);
    await eventually(
      async () => {
        const { alerts } = await prom.api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts');
        expect(alerts.filter((a) => a.state === 'firing').map((a) => a.labels)).toContainEqual({
          alertname: 'ID3JobFailed',
          kind: 'SyntheticDatasetJob',
          severity: 'warning',
        });
      },
      60_000,
      500,
    );
  }, 90_000);

  it('finishes the held jobs once the workers are released', async () => {
    writeFileSync(join(scratch, 'release'), '');
    const phase = async (kind: string, name: string) =>
      (await c.kubectl(['get', kind, name, '-n', JOBS_NS, '-o', 'jsonpath={.status.phase}'])).stdout.trim();
    await eventually(
      async () => {
        expect(await phase('sdj', 'faces-gen'), logs()).toBe('Succeeded');
        expect(await phase('id3tj', 'faces-train'), logs()).toBe('Succeeded');
        expect(await phase('sdj', 'faces-bad-input')).toBe('Failed');
      },
      60_000,
      500,
    );
  }, 90_000);
});
