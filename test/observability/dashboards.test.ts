/**
 * The dashboards and alerts as files: well-formed Grafana JSON (unique ids, the datasource variable everywhere,
 * every variable used is defined), alerts with a severity and a summary, and every metric name they query declared
 * by the operator's or the workers' registry. prometheus.test.ts then runs them against live processes.
 */
import { describe, expect, it } from 'vitest';
import { OperatorMetrics } from '../../operator/metrics.ts';
import { WorkerMetrics } from '../../worker/runtime/metrics.ts';
import {
  alertQueries,
  alertRules,
  allPanels,
  dashboardQueries,
  dashboards,
  metricNames,
  substitute,
} from './promql.ts';

/** Every panel queries the data source the dashboard's first variable picks. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
const DATASOURCE = '${datasource}';

/** Sample names a registry can expose: histograms as _bucket, _sum and _count. */
async function declaredNames(): Promise<Set<string>> {
  const registries = [
    new OperatorMetrics().registry,
    new WorkerMetrics({ id3_job: 'j', namespace: 'n', stage: 'generate', task: '0' }).registry,
  ];
  const names = new Set<string>();
  for (const r of registries) {
    for (const m of await r.getMetricsAsJSON()) {
      const type = String(m.type);
      const suffixes =
        type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
      for (const s of suffixes) names.add(`${m.name}${s}`);
    }
  }
  return names;
}

describe('metricNames (PromQL lexer)', () => {
  it.each([
    { given: 'up', want: ['up'] },
    { given: 'sum by (le) (rate(a_bucket{job=~"x|y", le!="+Inf"}[5m]))', want: ['a_bucket'] },
    { given: 'histogram_quantile(0.99, sum without (pod) (rate(b_bucket[$__rate_interval])))', want: ['b_bucket'] },
    { given: 'a * on (instance) group_left (name) (b == 1) or vector(0)', want: ['a', 'b'] },
    { given: 'x and on (job, instance) y unless z offset 5m', want: ['x', 'y', 'z'] },
    { given: 'rate(c_total[1h:5m]) > bool 1e-9', want: ['c_total'] },
    { given: 'count by (backend) (id3_worker_task_info{namespace=~"by|on"})', want: ['id3_worker_task_info'] },
    { given: 'sum(a) by (le) / sum(b) without (x)', want: ['a', 'b'] },
    { given: '{__name__="n", job="j"}', want: ['n'] },
    { given: 'abs(l) == Inf or l != l', want: ['l'] },
    { given: 'label_replace(m, "dst", "$1", "src", "(.*)")', want: ['m'] },
  ])('$given', ({ given, want }) => {
    expect(metricNames(given)).toEqual(want);
  });
});

describe('the Grafana dashboards', () => {
  it('are well-formed, use the datasource variable, and define every variable they use', () => {
    const uids = new Set<string>();
    for (const { file, dashboard } of dashboards()) {
      expect(uids.has(dashboard.uid), `${file}: uid`).toBe(false);
      uids.add(dashboard.uid);
      expect(dashboard.title).toMatch(/^ID3 \/ /);
      const vars = dashboard.templating.list.map((v) => v.name);
      expect(vars[0], file).toBe('datasource');
      const panels = allPanels(dashboard.panels) as Record<string, unknown>[];
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, `${file}: panel ids`).toBe(ids.length);
      for (const p of panels.filter((x) => x.type !== 'row')) {
        expect(p.datasource, `${file} / ${p.title}`).toEqual({ type: 'prometheus', uid: DATASOURCE });
        const grid = p.gridPos as { x: number; w: number };
        expect(grid.x + grid.w, `${file} / ${p.title}`).toBeLessThanOrEqual(24);
        const targets = p.targets as { refId: string; expr: string }[];
        expect(targets.length, `${file} / ${p.title}`).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      }
      for (const q of dashboardQueries().filter((x) => x.where.startsWith(file))) {
        for (const m of q.expr.matchAll(/\$\{?([a-zA-Z_]\w*)/g)) {
          if (m[1]!.startsWith('__')) continue;
          expect(vars, `${q.where}: $${m[1]}`).toContain(m[1]);
        }
      }
    }
    expect([...uids].sort()).toEqual(['id3-data-plane', 'id3-jobs', 'id3-operator']);
  });

  it('cover the operator, the jobs and the data plane', () => {
    const titles = (file: string) =>
      allPanels(dashboards().find((d) => d.file === file)!.dashboard.panels).map((p) => p.title);
    expect(titles('operator.json')).toEqual(
      expect.arrayContaining(['Leaders', 'Reconcile rate by result', 'Reconcile errors', 'Reconcile latency']),
    );
    expect(titles('operator.json')).toEqual(expect.arrayContaining(['Queue depth (leader)', 'Queue latency']));
    expect(titles('jobs.json')).toEqual(
      expect.arrayContaining(['Jobs by phase', 'Progress', 'Time to finish (ETA)', 'Failures by reason']),
    );
    expect(titles('data-plane.json')).toEqual(
      expect.arrayContaining([
        'Images per second',
        'Seconds per image per pod',
        'Training loss',
        'Training steps per second',
        'Storage errors',
      ]),
    );
  });
});

describe('the alerts', () => {
  it('each have a severity, a summary and a description', () => {
    const rules = alertRules();
    expect(rules.length).toBeGreaterThanOrEqual(8);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      expect(r.alert).toMatch(/^ID3[A-Z]\w+$/);
    }
  });
});

describe('every query of a dashboard or an alert', () => {
  it('names only metrics the operator or the workers declare', async () => {
    const declared = await declaredNames();
    const queries = [...dashboardQueries(), ...alertQueries()];
    expect(queries.length).toBeGreaterThan(40);
    for (const q of queries) {
      const names = metricNames(substitute(q.expr, {}));
      expect(names.length, `${q.where}: ${q.expr}`).toBeGreaterThan(0);
      for (const n of names) expect(declared.has(n), `${q.where} queries ${n}, which no registry declares`).toBe(true);
    }
  });
});
