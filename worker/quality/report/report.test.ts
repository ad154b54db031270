import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  type Embedder,
  type LabelledImage,
  type LabelledImageSource,
  reportDataset,
  sampleIdentities,
} from './report.ts';

const SIZE = 8;
const D = 8;

/** Identity k's images are filled with grey level 20·k (plus a little per-image variation). */
function image(identity: number, index: number): LabelledImage {
  const pixels = new Uint8Array(SIZE * SIZE * 3).fill(20 * identity + index);
  return { key: `${identity}/${index}`, identity, size: SIZE, pixels };
}

function source(identities: number, perIdentity: number, known: boolean): LabelledImageSource & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    identities: known ? Array.from({ length: identities }, (_, i) => i) : undefined,
    async *images(keep) {
      for (let id = 0; id < identities; id++) {
        asked.push(id);
        if (!keep(id)) continue;
        for (let j = 0; j < perIdentity; j++) yield image(id, j);
      }
    },
  };
}

/** Reads the identity back from the grey level: a perfect face recogniser for this toy world. */
const oneHot: Embedder = {
  name: 'one-hot',
  embeddingSize: D,
  embed(pixels, n, size) {
    const out = new Float32Array(n * D);
    for (let i = 0; i < n; i++) {
      const level = Math.round(((pixels[i * size * size * 3]! + 1) * 127.5) / 20);
      out[i * D + (Math.floor(level) % D)] = 1;
    }
    return out;
  },
};

function memorySink() {
  const files = new Map<string, Uint8Array | string>();
  return { files, put: async (key: string, body: Uint8Array | string) => void files.set(key, body) };
}

const context = { dataset: 'memory://toy', encoder: 'one-hot', createdAt: '2026-11-27T00:00:00Z' };
const options = {
  neighbourThreshold: 0.3,
  pairs: 50,
  pairSeed: 1,
  maxIdentities: 100,
  contactSheetIdentities: 3,
  contactSheetPerIdentity: 4,
  prefix: 'report/',
  batchSize: 5,
  inlineSheetBytes: 1_000_000,
};

describe('reportDataset', () => {
  it('writes metrics.json, index.html and a contact sheet with one row per identity', async () => {
    const sink = memorySink();
    const result = await reportDataset(source(5, 6, true), oneHot, sink, context, options);
    expect(result.files.sort()).toEqual(['report/contact-sheet.png', 'report/index.html', 'report/metrics.json']);
    expect(result.metrics).toMatchObject({ identities: 5, images: 30, labelFlipRate: 0 });
    expect(result.metrics.separability.eer).toBe(0);
    const json = JSON.parse(sink.files.get('report/metrics.json') as string);
    expect(json.metrics.identities).toBe(5);
    const html = sink.files.get('report/index.html') as string;
    expect(html).toContain('<svg');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('Label-flip rate');
    const meta = await sharp(sink.files.get('report/contact-sheet.png') as Uint8Array).metadata();
    // 3 rows × 4 columns of 64 px cells with 2 px gaps.
    expect([meta.width, meta.height]).toEqual([4 * 64 + 5 * 2, 3 * 64 + 4 * 2]);
  });

  it('measures a deterministic sample of identities when the set has more than maxIdentities', async () => {
    const a = await reportDataset(source(9, 3, true), oneHot, memorySink(), context, { ...options, maxIdentities: 4 });
    const b = await reportDataset(source(9, 3, true), oneHot, memorySink(), context, { ...options, maxIdentities: 4 });
    expect(a.metrics.identities).toBe(4);
    expect(a.metrics).toEqual(b.metrics);
  });

  it('takes the first identities it meets when the source cannot list them', async () => {
    const r = await reportDataset(source(9, 3, false), oneHot, memorySink(), context, { ...options, maxIdentities: 3 });
    expect(r.metrics.identities).toBe(3);
  });

  it('links the contact sheet instead of inlining it when it is large', async () => {
    const sink = memorySink();
    await reportDataset(source(3, 3, true), oneHot, sink, context, { ...options, inlineSheetBytes: 10 });
    expect(sink.files.get('report/index.html')).toContain('src="contact-sheet.png"');
  });

  it('refuses a set with a single identity', async () => {
    await expect(reportDataset(source(1, 4, true), oneHot, memorySink(), context, options)).rejects.toThrow(
      /two identities/,
    );
  });
});

describe('sampleIdentities', () => {
  it('keeps all when there are few, and a stable subset otherwise', () => {
    expect(sampleIdentities([3, 1, 2], 5, 1)).toEqual(new Set([1, 2, 3]));
    const ids = Array.from({ length: 100 }, (_, i) => i);
    const s = sampleIdentities(ids, 10, 7);
    expect(s.size).toBe(10);
    expect(sampleIdentities([...ids].reverse(), 10, 7)).toEqual(s);
    expect(sampleIdentities(ids, 10, 8)).not.toEqual(s);
  });
});
