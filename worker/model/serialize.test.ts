import { describe, expect, it } from 'vitest';
import { initParams, type Params } from './params.ts';
import { tinyConfig } from './presets.ts';
import { loadGroups, ModelFormatError, readMetadata, saveModel } from './serialize.ts';
import { UNet } from './unet.ts';

const cfg = tinyConfig(8, 8);
const unet = new UNet(cfg);

async function bytesOf(p: Params): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(p)) out[k] = [...new Uint8Array((await v.data()).buffer)];
  return out;
}

describe('saveModel / loadGroups', () => {
  it('round-trips every group bit for bit, with the config and extra metadata', async () => {
    const groups = {
      params: initParams(unet.specs, { seed: 1, zeroResidualOutputs: false }),
      ema: initParams(unet.specs, { seed: 2, zeroResidualOutputs: false }),
    };
    const saved = await saveModel({ config: cfg, groups, extra: { step: 7, note: 'x' } });
    expect(Object.keys(saved.files).sort()).toEqual(['ema.bin', 'params.bin']);
    // What a store does to the metadata: JSON.
    const stored = { metadata: JSON.parse(JSON.stringify(saved.metadata)), files: saved.files };
    const loaded = loadGroups(stored, { specs: unet.specs });
    expect(await bytesOf(loaded.params!)).toEqual(await bytesOf(groups.params));
    expect(await bytesOf(loaded.ema!)).toEqual(await bytesOf(groups.ema));
    const meta = readMetadata(stored.metadata);
    expect(meta.config).toEqual(cfg);
    expect(meta.extra).toEqual({ step: 7, note: 'x' });
  });

  it('loads only the groups asked for', async () => {
    const p = initParams(unet.specs, { seed: 1 });
    const saved = await saveModel({ config: cfg, groups: { params: p, ema: p } });
    expect(Object.keys(loadGroups(saved, { groups: ['ema'] }))).toEqual(['ema']);
  });

  it('refuses weights of another architecture', async () => {
    const other = new UNet(tinyConfig(16, 4));
    const saved = await saveModel({ config: cfg, groups: { params: initParams(unet.specs, { seed: 1 }) } });
    expect(() => loadGroups(saved, { specs: other.specs })).toThrow(ModelFormatError);
    expect(() => loadGroups(saved, { specs: other.specs })).toThrow(/does not fit the architecture/);
  });

  it.each([
    { name: 'another format', given: { format: 'keras' }, want: /not an id3-model/ },
    { name: 'a newer version', given: { format: 'id3-model', formatVersion: 2 }, want: /version 2/ },
  ])('refuses $name', ({ given, want }) => {
    expect(() => readMetadata(given)).toThrow(want);
  });

  it('reports a missing weights file by name', async () => {
    const saved = await saveModel({ config: cfg, groups: { params: initParams(unet.specs, { seed: 1 }) } });
    expect(() => loadGroups({ metadata: saved.metadata, files: {} })).toThrow(/params.bin/);
  });
});
