import { describe, expect, it } from 'vitest';
import { imageNoiseKey } from '../../random/index.ts';
import type { ImagePlan } from '../planner/index.ts';
import { tarBatches } from './generate.ts';

/** A tar of 5 identities × 3 images, as plans in (identity, image) order. */
const plans: ImagePlan[] = Array.from({ length: 15 }, (_, i) => ({
  identity: 10 + Math.floor(i / 3),
  image: i % 3,
  embedding: 0,
  attributes: {},
  noise: imageNoiseKey(1, 10 + Math.floor(i / 3), i % 3),
}));
const key = (batch: ImagePlan[]) => batch.map((p) => `${p.identity}/${p.image}`).join(' ');

describe('tarBatches', () => {
  it('samples every image of a fresh tar once, in batches of the requested size', () => {
    const batches = tarBatches(plans, 4, new Set([10, 11, 12, 13, 14]));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 3]);
    expect(batches.flat()).toEqual(plans);
  });

  it('gives a resumed tar the same batches as a fresh one, minus those with nothing left to make', () => {
    const fresh = tarBatches(plans, 4, new Set([10, 11, 12, 13, 14])).map(key);
    // Identities 10 and 11 were staged before the stop; 12's first image shares a batch with 11's last ones.
    const resumed = tarBatches(plans, 4, new Set([12, 13, 14])).map(key);
    expect(resumed).toEqual(fresh.slice(1));
    expect(resumed[0]).toBe('11/1 11/2 12/0 12/1');
  });
});
