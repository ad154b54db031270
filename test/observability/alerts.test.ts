/**
 * The alerts with promtool (Debian's prometheus package): the rules file and the PrometheusRule the chart renders
 * from it pass `promtool check rules` (expressions parse, annotation templates compile), and every alert passes its
 * unit tests (alerts.promtool.yaml: fires on the series it is about, with its labels and rendered annotations, and
 * stays quiet on near misses).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderChart } from '../../scripts/chart-render.ts';
import { promtool } from './prometheus.ts';
import { alertRules, RULES_FILE } from './promql.ts';

const dir = mkdtempSync(join(tmpdir(), 'id3-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('promtool', () => {
  it('checks the rules file', async () => {
    const r = await promtool(['check', 'rules', RULES_FILE]);
    expect(r.output).toContain(`SUCCESS: ${alertRules().length} rules found`);
    expect(r.code, r.output).toBe(0);
  });

  it('checks the PrometheusRule the chart renders', async () => {
    const rule = renderChart({ set: ['prometheusRule.enabled=true'] }).find((o) => o.kind === 'PrometheusRule');
    const file = join(dir, 'rendered.rules.yaml');
    writeFileSync(file, stringify(rule?.spec));
    const r = await promtool(['check', 'rules', file]);
    expect(r.code, r.output).toBe(0);
  });

  it('passes the alerts unit tests, one at least per alert', async () => {
    const tests = readFileSync(join(import.meta.dirname, 'alerts.promtool.yaml'), 'utf8');
    for (const r of alertRules()) expect(tests, `no unit test for ${r.alert}`).toContain(`alertname: ${r.alert}`);
    const r = await promtool(['test', 'rules', 'alerts.promtool.yaml'], { cwd: import.meta.dirname });
    expect(r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });
});

describe('runbooks', () => {
  it('links every alert to its own section of the chart README', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'helm', 'id3-operator', 'README.md'), 'utf8');
    // GitHub's anchors: the heading lowercased, spaces to dashes, punctuation dropped.
    const anchors = new Set(
      [...readme.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^\w\s-]/g, '')
          .replace(/\s/g, '-'),
      ),
    );
    for (const r of alertRules()) {
      const url = r.annotations?.runbook_url;
      expect(url, r.alert).toMatch(
        /^https:\/\/github\.com\/sfr\/id3-operator\/blob\/main\/helm\/id3-operator\/README\.md#/,
      );
      expect(anchors.has(url!.split('#')[1]!), `${r.alert}: no section ${url}`).toBe(true);
      expect(url!.split('#')[1]).toBe(r.alert.toLowerCase());
    }
  });
});
