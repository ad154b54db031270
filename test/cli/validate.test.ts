import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { datasetJob, trainingJob } from '../builders.ts';
import { id3 } from './id3.ts';

function manifest(...objects: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'id3-validate-'));
  const file = join(dir, 'jobs.yaml');
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  return file;
}

describe('id3 validate', () => {
  it('exits 0 and says valid for the examples', () => {
    const { code, out } = id3('validate', 'examples');
    expect(out).toContain('examples/dataset-job.yaml:11: SyntheticDatasetJob/faces-10k-x50: valid');
    expect(code).toBe(0);
  });

  it('prints object, field path and reason for each error of a multi-document file, and exits 1', () => {
    const file = manifest(
      datasetJob('ok').obj(),
      datasetJob('bad').set('spec.anchorSimilarity', { lb: 0.9, ub: 0.7 }).set('spec.identities', 'x').obj(),
      trainingJob('t').set('spec.training.steps', 0).obj(),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3' } },
    );
    const { code, out } = id3('validate', file);
    expect(code).toBe(1);
    expect(out).toContain('SyntheticDatasetJob/ok: valid');
    expect(out).toMatch(
      /jobs\.yaml:\d+: SyntheticDatasetJob\/bad: error: spec\.identities: Invalid value: "string": spec\.identities in body must be of type integer/,
    );
    expect(out).toMatch(
      /SyntheticDatasetJob\/bad: error: spec\.anchorSimilarity: Invalid value: "object": anchorSimilarity\.lb must be less than anchorSimilarity\.ub/,
    );
    expect(out).toMatch(
      /ID3TrainingJob\/t: error: spec\.training\.steps: Invalid value: 0: .*greater than or equal to 1/,
    );
    expect(out).toContain('Secret/s3: skipped (not an id3.sfr.dev kind)');
    expect(out).toContain('2 invalid, 1 valid');
  });

  it("prints each field error at the field's line", () => {
    const text = stringify(
      datasetJob('typo').set('spec.imagesPerIdentiy', 10).set('spec.anchorSimilarity', { lb: 0.9, ub: 0.5 }).obj(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'id3-validate-'));
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, `# a comment\n---\n${text}`);
    const lineOf = (key: string) => text.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 3;
    const { code, out } = id3('validate', file);
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([
      `${file}:${lineOf('imagesPerIdentiy')}: SyntheticDatasetJob/typo: error: spec.imagesPerIdentiy: Unknown field: did you mean "imagesPerIdentity"?`,
      `${file}:${lineOf('anchorSimilarity')}: SyntheticDatasetJob/typo: error: spec.anchorSimilarity: Invalid value: "object": anchorSimilarity.lb must be less than anchorSimilarity.ub`,
      '1 invalid, 0 valid',
    ]);
  });

  it('reports YAML syntax errors and missing files instead of crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'id3-validate-'));
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: id3.sfr.dev/v1alpha1\nkind: [unclosed\n');
    const { code, out } = id3('validate', join(dir, 'broken.yaml'), join(dir, 'missing.yaml'));
    expect(code).toBe(1);
    expect(out).toContain('YAML syntax error');
    expect(out).toContain('missing.yaml: error: no such file');
  });

  it('writes machine-readable results with -o json', () => {
    const { code, out } = id3('validate', '-o', 'json', manifest(datasetJob('bad').set('spec.seed', -1).obj()));
    expect(code).toBe(1);
    const [result] = JSON.parse(out) as { checks: { outcome: string; errors: { field: string }[] }[] }[];
    expect(result?.checks[0]?.outcome).toBe('invalid');
    expect(result?.checks[0]?.errors.map((e) => e.field)).toEqual(['spec.seed']);
  });
});
