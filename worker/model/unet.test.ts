import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { admit, type ID3TrainingJob } from '../../api/index.ts';
import { normals } from '../../random/index.ts';
import { trainingJob } from '../../test/builders.ts';
import { fromSpec, type ModelConfig, ModelConfigError, validateModelConfig } from './config.ts';
import { countParams, countParamsByPart, initParams } from './params.ts';
import { PRESET_SIZES, presetConfig, tinyConfig } from './presets.ts';
import { timestepEmbedding, UNet } from './unet.ts';

const rand = (seed: number, shape: number[]) =>
  tf.tensor(
    normals(
      { seed, a: 0, b: 0, purpose: 0 },
      shape.reduce((a, b) => a * b),
    ),
    shape,
  );

function inputs(cfg: ModelConfig, b: number, seed = 1) {
  const r = cfg.unet.resolution;
  const width = cfg.conditioning.embeddingSize + cfg.conditioning.attributes.length;
  return {
    x: rand(seed, [b, r, r, 3]) as tf.Tensor4D,
    t: tf.tensor1d(Array.from({ length: b }, (_, i) => 1 + 97 * i)),
    cond: rand(seed + 1, [b, width]) as tf.Tensor2D,
  };
}

describe('model config', () => {
  it('fromSpec of a defaulted ID3TrainingJob is the 64 px preset', () => {
    const { object, errors } = admit(trainingJob('t').obj());
    expect(errors).toEqual([]);
    const { spec } = object as ID3TrainingJob;
    expect(fromSpec(spec.model, spec.conditioning, spec.encoder.embeddingSize)).toEqual(presetConfig(64, 512));
  });

  it.each([
    { name: 'resolution not divisible by the levels', given: { resolution: 34 }, want: /not divisible by 2\^2/ },
    { name: 'channels not a multiple of the groups', given: { groupNormGroups: 7 }, want: /groupNormGroups 7/ },
    {
      name: 'attention at a side the U-Net lacks',
      given: { attentionResolutions: [12] },
      want: /attention resolution 12/,
    },
    { name: 'heads not dividing the channels', given: { attentionHeads: 3 }, want: /attentionHeads 3/ },
  ])('rejects $name', ({ given, want }) => {
    const cfg = presetConfig(32, 16);
    expect(() => validateModelConfig({ ...cfg, unet: { ...cfg.unet, ...given } })).toThrow(ModelConfigError);
    expect(() => validateModelConfig({ ...cfg, unet: { ...cfg.unet, ...given } })).toThrow(want);
  });
});

describe('parameter counts', () => {
  it('has the projection module the paper describes: [y ; s] → 512 → 256 → 768', () => {
    const specs = new UNet(presetConfig(64, 512)).specs;
    const mlp = specs.filter((s) => s.name.startsWith('cond.mlp')).map((s) => s.shape);
    expect(mlp).toEqual([[516, 512], [512], [512, 256], [256], [256, 768], [768]]);
  });

  it.each(PRESET_SIZES.map((size) => ({ name: `${size} px`, given: size })))('$name', ({ given }) => {
    const specs = new UNet(presetConfig(given, 512)).specs;
    const n = countParams(specs);
    const parts = countParamsByPart(specs);
    expect(Object.values(parts).reduce((a, b) => a + b)).toBe(n);
    // DDPM's CelebA-HQ model has 114M parameters with one more level; CIFAR-10's has 35.7M.
    const range = { 32: [1e6, 5e6], 64: [30e6, 50e6], 112: [60e6, 120e6] }[given];
    expect(n).toBeGreaterThan(range[0]!);
    expect(n).toBeLessThan(range[1]!);
  });
});

describe('UNet', () => {
  const cfg = tinyConfig(8, 8);
  const unet = new UNet(cfg);

  it('predicts ε of the image shape, exactly 0 with DDPM zero initialisation', async () => {
    const P = initParams(unet.specs, { seed: 1 });
    const out = unet.apply(P, inputs(cfg, 2));
    expect(out.shape).toEqual([2, 8, 8, 3]);
    expect((await out.abs().max().data())[0]).toBe(0);
  });

  it('treats every image of a batch on its own', async () => {
    const P = initParams(unet.specs, { seed: 1, zeroResidualOutputs: false });
    const all = inputs(cfg, 3);
    const batch = await unet.apply(P, all).data();
    const one = await unet.apply(P, { x: all.x.slice(1, 1), t: all.t.slice(1, 1), cond: all.cond.slice(1, 1) }).data();
    for (let i = 0; i < one.length; i++) expect(batch[one.length + i]).toBeCloseTo(one[i]!, 5);
  });

  it('is conditioned: changing y or t changes ε', async () => {
    const P = initParams(unet.specs, { seed: 1, zeroResidualOutputs: false });
    const a = inputs(cfg, 1);
    const base = await unet.apply(P, a).data();
    const otherY = await unet.apply(P, { ...a, cond: a.cond.mul(-1) as tf.Tensor2D }).data();
    const otherT = await unet.apply(P, { ...a, t: a.t.add(400) as tf.Tensor1D }).data();
    expect(otherY).not.toEqual(base);
    expect(otherT).not.toEqual(base);
  });

  it('applies dropout only when given seeds, the same mask for the same seed', async () => {
    const dcfg = { ...cfg, unet: { ...cfg.unet, dropout: 0.5 } };
    const net = new UNet(dcfg);
    const P = initParams(net.specs, { seed: 1, zeroResidualOutputs: false });
    const a = inputs(dcfg, 1);
    const plain = await net.apply(P, a).data();
    const seeded = (s: number) => net.apply(P, a, { dropoutSeed: (block) => s * 100 + block }).data();
    expect(await seeded(1)).toEqual(await seeded(1));
    expect(await seeded(1)).not.toEqual(await seeded(2));
    expect(await seeded(1)).not.toEqual(plain);
  });
});

describe('timestepEmbedding', () => {
  it('is [sin(t·f), cos(t·f)] with f_i = 10000^(−i/half)', async () => {
    const e = await timestepEmbedding(tf.tensor1d([0, 3]), 6).data();
    expect([...e.slice(0, 6)]).toEqual([0, 0, 0, 1, 1, 1]);
    const f = [1, 10000 ** (-1 / 3), 10000 ** (-2 / 3)];
    f.forEach((fi, i) => {
      expect(e[6 + i]).toBeCloseTo(Math.sin(3 * fi), 5);
      expect(e[9 + i]).toBeCloseTo(Math.cos(3 * fi), 5);
    });
  });
});
