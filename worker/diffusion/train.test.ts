import { describe, expect, it } from 'vitest';
import { tinyConfig, UNet } from '../model/index.ts';
import { defaultDiffusionConfig, makeSchedule } from './schedule.ts';
import { drawStep } from './train.ts';

function setup(pUncond: number) {
  const cfg = tinyConfig(8, 8);
  const unet = new UNet({ ...cfg, conditioning: { ...cfg.conditioning, dropout: pUncond } });
  return { unet, schedule: makeSchedule(defaultDiffusionConfig()), training: { seed: 3 } };
}

describe('drawStep', () => {
  it('is a pure function of (seed, step): the same draws twice, other draws at another step', async () => {
    const m = setup(0.5);
    const [a, b, c] = [drawStep(m, 7, 4), drawStep(m, 7, 4), drawStep(m, 8, 4)];
    expect(b.t).toEqual(a.t);
    expect(b.keepCondition).toEqual(a.keepCondition);
    expect(await b.noise.data()).toEqual(await a.noise.data());
    expect(await c.noise.data()).not.toEqual(await a.noise.data());
    expect(b.forward?.dropoutSeed?.(3)).toBe(a.forward?.dropoutSeed?.(3));
    expect(a.forward?.dropoutSeed?.(3)).not.toBe(a.forward?.dropoutSeed?.(4));
  });

  it('draws timesteps uniformly from 1…T and standard normal noise', async () => {
    const m = setup(0);
    const d = drawStep(m, 1, 400);
    expect(Math.min(...d.t)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...d.t)).toBeLessThanOrEqual(1000);
    expect(Math.abs(d.t.reduce((a, b) => a + b) / d.t.length - 500.5)).toBeLessThan(45);
    const z = Array.from(await d.noise.data());
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
  });

  it.each([
    { name: 'p_uncond = 0 keeps every condition', given: 0, want: { min: 0, max: 0 } },
    { name: 'p_uncond = 1 drops every condition', given: 1, want: { min: 1, max: 1 } },
    { name: 'p_uncond = 0.3 drops about 30%', given: 0.3, want: { min: 0.25, max: 0.35 } },
  ])('$name', ({ given, want }) => {
    const keep = drawStep(setup(given), 1, 1000).keepCondition;
    const dropped = keep.filter((k) => k === 0).length / keep.length;
    expect(dropped).toBeGreaterThanOrEqual(want.min);
    expect(dropped).toBeLessThanOrEqual(want.max);
  });
});
