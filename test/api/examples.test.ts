import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkManifests, formatFieldError } from '../../api/index.ts';

const dir = join(import.meta.dirname, '..', '..', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('examples/', () => {
  it('holds the real-scale jobs and the quickstarts', () => {
    expect(files).toEqual(expect.arrayContaining(['training-job.yaml', 'dataset-job.yaml', 'quickstart.yaml']));
  });

  it.each(files)('%s is valid', (file) => {
    const checks = checkManifests(readFileSync(join(dir, file), 'utf8')).filter((c) => c.outcome !== 'skipped');
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) expect(c.errors.map(formatFieldError), c.ref).toEqual([]);
    expect(checks.every((c) => c.outcome === 'valid')).toBe(true);
  });

  it("the real-scale dataset job is the field's standard unit on 64 shards and 16 pods", () => {
    const [check] = checkManifests(readFileSync(join(dir, 'dataset-job.yaml'), 'utf8'));
    expect(check?.outcome).toBe('valid');
    const doc = readFileSync(join(dir, 'dataset-job.yaml'), 'utf8');
    for (const line of [
      'identities: 10000',
      'imagesPerIdentity: 50',
      'embeddingsPerIdentity: 25',
      'shards: 64',
      'parallelism: 16',
      'trainingJobRef:',
    ]) {
      expect(doc).toContain(line);
    }
  });
});
