import { describe, expect, it } from 'vitest';
import { admit, type SyntheticDatasetJob } from '../../api/index.ts';
import { imageNoiseKey } from '../../random/index.ts';
import { datasetJob } from '../../test/builders.ts';
import type { AttributeSource } from './attributes.ts';
import { planFromSpec, planImages } from './plan.ts';

const { object } = admit(datasetJob('d').set('spec.seed', 42).set('spec.embeddingsPerIdentity', 3).obj());
const spec = (object as SyntheticDatasetJob).spec;
const cfg = planFromSpec(spec, { embeddingSize: 8, attributeNames: ['age', 'yaw'] });
const source: AttributeSource = {
  kind: 'ranges',
  ranges: [
    { name: 'age', min: 0, max: 100 },
    { name: 'yaw', min: -90, max: 90 },
  ],
};

describe('planFromSpec', () => {
  it("takes every value from the job's spec (defaults applied by admission)", () => {
    expect(cfg).toMatchObject({
      seed: 42,
      identities: 8,
      imagesPerIdentity: 4,
      embeddingsPerIdentity: 3,
      anchorSimilarity: { lb: 0.7, ub: 0.9 },
      anchors: { steps: 200, temperature: 0.05, learningRate: 0.1 },
      embeddingSize: 8,
    });
  });
});

describe('planImages', () => {
  it('cycles the images of an identity through its m embeddings', () => {
    const plans = planImages({ ...cfg, imagesPerIdentity: 7 }, source, { start: 2, end: 3 });
    expect(plans.map((p) => p.embedding)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(plans.map((p) => p.noise)).toEqual(plans.map((_, k) => imageNoiseKey(42, 2, k)));
  });

  it('gives each image a fresh attribute draw', () => {
    const plans = planImages({ ...cfg, imagesPerIdentity: 6 }, source, { start: 0, end: 1 });
    expect(new Set(plans.map((p) => JSON.stringify(p.attributes))).size).toBe(6);
  });

  it('is the same plan whatever the sharding, and survives JSON', () => {
    const whole = planImages(cfg, source, { start: 0, end: 8 });
    const shards = [0, 3, 5].flatMap((start, i, all) => planImages(cfg, source, { start, end: all[i + 1] ?? 8 }));
    expect(shards).toEqual(whole);
    expect(JSON.parse(JSON.stringify(whole))).toEqual(whole);
  });
});
