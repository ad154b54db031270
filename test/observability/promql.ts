/**
 * What the dashboards and alerts query: every PromQL expression of every Grafana panel and template variable and of
 * every alert rule, the metric names each one selects (a small PromQL lexer: Prometheus 2.42 has no parse API), and
 * Grafana's variables substituted the way Grafana would before a query reaches Prometheus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR } from '../../scripts/chart-render.ts';

export interface Query {
  /** dashboard file / panel title, or alert name */
  where: string;
  /** The dashboard file whose variables the expression uses. */
  dashboard?: string;
  expr: string;
  kind: 'panel' | 'variable' | 'alert';
}

// Aggregations and functions are followed by "("; these words are not metric names either.
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
  'start',
  'end',
]);
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);
/** Followed by a parenthesised list of label names, not of expressions. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Metric names an expression selects, sorted and unique. */
export function metricNames(expr: string): string[] {
  const src = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const names = new Set<string>();
  let i = 0;
  const next = () => src.slice(i).match(/^\s*/)?.[0].length ?? 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '{') {
      const end = src.indexOf('}', i);
      const nameMatcher = /__name__\s*=\s*"([^"]*)"/.exec(expr.slice(i, end + 1));
      if (nameMatcher) names.add(nameMatcher[1]!);
      i = end < 0 ? src.length : end + 1;
      continue;
    }
    if (c === '[') {
      const end = src.indexOf(']', i);
      i = end < 0 ? src.length : end + 1;
      continue;
    }
    const number = /^(\d+(ms|[smhdwy]))+|^(0x[0-9a-fA-F]+|\d*\.?\d+([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (number && /[\d.]/.test(c)) {
      i += number[0].length;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(src.slice(i));
    if (!ident) {
      i++;
      continue;
    }
    const word = ident[0];
    i += word.length;
    const j = i + next();
    if (LABEL_LISTS.has(word.toLowerCase()) && src[j] === '(') {
      i = src.indexOf(')', j) + 1;
      continue;
    }
    if (src[j] === '(' || KEYWORDS.has(word.toLowerCase())) continue;
    // `sum by (le) (...)`: an aggregation whose grouping comes first.
    if (AGGREGATIONS.has(word.toLowerCase()) && /^(by|without)\b/i.test(src.slice(j))) continue;
    names.add(word);
  }
  return [...names].sort();
}

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  allValue?: string;
  includeAll?: boolean;
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const DASHBOARD_DIR = join(CHART_DIR, 'dashboards');
export const RULES_FILE = join(CHART_DIR, 'alerts', 'id3-operator.rules.yaml');

export function dashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));
}

export function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** `label_values(metric{...}, label)` → the selector; other variable queries as they are. */
export function variableSelector(v: Variable): string | undefined {
  const q = typeof v.query === 'string' ? v.query : v.query?.query;
  if (v.type !== 'query' || !q) return undefined;
  const m = /^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/.exec(q.trim());
  return m ? m[1] : q;
}

export function dashboardQueries(): Query[] {
  return dashboards().flatMap(({ file, dashboard }) => [
    ...allPanels(dashboard.panels).flatMap((p) =>
      (p.targets ?? []).map((t) => ({
        where: `${file} / ${p.title}`,
        dashboard: file,
        expr: t.expr ?? '',
        kind: 'panel' as const,
      })),
    ),
    ...dashboard.templating.list.flatMap((v) => {
      const selector = variableSelector(v);
      return selector
        ? [{ where: `${file} / $${v.name}`, dashboard: file, expr: selector, kind: 'variable' as const }]
        : [];
    }),
  ]);
}

export interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): Rule[] {
  const file = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] };
  return file.groups.flatMap((g) => g.rules);
}

export function alertQueries(): Query[] {
  return alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr, kind: 'alert' as const }));
}

/**
 * The expression Grafana sends: `$__rate_interval` and `$__interval` become a window, and each dashboard variable
 * its value for "All" — the variable's allValue, or the alternation of the values its query finds.
 */
export function substitute(expr: string, values: Record<string, string>, window = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', window)
    .replaceAll('$__interval', window)
    .replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, (m, name: string) => values[name] ?? m);
}
