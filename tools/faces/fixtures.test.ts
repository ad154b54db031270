import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { defaultAttributeSpread } from './attributes.ts';
import { type FixtureSpec, FixtureSpecError, writeFaceFixtures } from './fixtures.ts';

function memorySink() {
  const files = new Map<string, Uint8Array | string>();
  return { files, put: async (key: string, body: Uint8Array | string) => void files.set(key, body) };
}

const spec: FixtureSpec = { identities: 2, perIdentity: 3, size: 16, seed: 4, spread: defaultAttributeSpread };

describe('writeFaceFixtures', () => {
  it('writes one PNG per picture in a folder per identity, with attributes and labels', async () => {
    const sink = memorySink();
    expect(await writeFaceFixtures(spec, sink)).toEqual({ images: 6 });
    const pngs = [...sink.files.keys()].filter((k) => k.endsWith('.png')).sort();
    expect(pngs).toEqual([
      'images/000000/000.png',
      'images/000000/001.png',
      'images/000000/002.png',
      'images/000001/000.png',
      'images/000001/001.png',
      'images/000001/002.png',
    ]);
    const meta = await sharp(sink.files.get(pngs[0]!) as Uint8Array).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([16, 16, 3]);
    const attributes = (sink.files.get('attributes.jsonl') as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const labels = (sink.files.get('labels.jsonl') as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(attributes.map((a) => a.key)).toEqual(pngs.map((p) => p.replace(/\.png$/, '')));
    expect(Object.keys(attributes[0]).sort()).toEqual(['age', 'key', 'pitch', 'roll', 'yaw']);
    expect(labels.map((l) => l.identity)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(labels[4]).toMatchObject({ key: 'images/000001/001', image: 1 });
    expect(JSON.parse(sink.files.get('fixtures.json') as string)).toMatchObject({ identities: 2, seed: 4, images: 6 });
  });

  it('writes the same bytes for the same spec, and other pictures for another seed', async () => {
    const a = memorySink();
    const b = memorySink();
    const c = memorySink();
    await writeFaceFixtures(spec, a);
    await writeFaceFixtures(spec, b);
    await writeFaceFixtures({ ...spec, seed: 5 }, c);
    expect(b.files).toEqual(a.files);
    expect(c.files.get('images/000000/000.png')).not.toEqual(a.files.get('images/000000/000.png'));
  });

  it.each([
    { field: 'identities', value: 0 },
    { field: 'perIdentity', value: 1.5 },
    { field: 'size', value: 8 },
    { field: 'seed', value: -1 },
  ])('rejects $field = $value before writing anything', async ({ field, value }) => {
    const sink = memorySink();
    await expect(writeFaceFixtures({ ...spec, [field]: value }, sink)).rejects.toBeInstanceOf(FixtureSpecError);
    expect(sink.files.size).toBe(0);
  });
});
