import { describe, expect, it } from 'vitest';
import { datasetSpec } from '../../test/storage/fixtures.ts';
import { DatasetFormatError } from './errors.ts';
import { buildDatasetCard, type DatasetCardInput, DEFAULT_LICENCE_NOTES, type TarRecord } from './manifest.ts';

const spec = datasetSpec({ identities: 5, imagesPerIdentity: 2, identitiesPerTar: 2 });
const tar = (k: number, ids: [number, number]): TarRecord => ({
  key: `shards/${String(k).padStart(6, '0')}.tar`,
  sha256: String(k).repeat(64).slice(0, 64),
  bytes: 1000 + k,
  images: (ids[1] - ids[0]) * 2,
  identities: ids,
});
const input: DatasetCardInput = {
  name: 'faces',
  spec,
  createdAt: '2026-11-27T12:00:00.000Z',
  generatorVersion: '0.1.0',
  image: { width: 112, height: 112 },
  model: { checkpointURI: 's3://m/checkpoints/step-000000100', step: 100, weights: 'ema' },
  encoder: { uri: 's3://m/encoder/model.json', embeddingSize: 512 },
  plan: { anchorsMaxCosine: 0.31 },
  tars: [tar(2, [4, 5]), tar(0, [0, 2]), tar(1, [2, 4])],
  licenceNotes: ['Generator trained on the project’s procedural faces.'],
};

describe('buildDatasetCard', () => {
  it('records counts, config, provenance, seeds, checksums and licence notes, tars in order', () => {
    const card = buildDatasetCard(input);
    expect(card.counts).toEqual({
      identities: 5,
      imagesPerIdentity: 2,
      embeddingsPerIdentity: 2,
      images: 10,
      tars: 3,
      identitiesPerTar: 2,
    });
    expect(card.files.shards.map((t) => t.key)).toEqual([
      'shards/000000.tar',
      'shards/000001.tar',
      'shards/000002.tar',
    ]);
    expect(card.files.shards[1]!.sha256).toBe('1'.repeat(64));
    expect(card.seeds).toEqual({ dataset: spec.seed });
    expect(card.config).toEqual(spec);
    expect(card.model.step).toBe(100);
    expect(card.encoder?.embeddingSize).toBe(512);
    expect(card.image).toEqual({ format: 'png', width: 112, height: 112, channels: 3 });
    expect(card.licence.notes).toEqual([
      ...DEFAULT_LICENCE_NOTES,
      'Generator trained on the project’s procedural faces.',
    ]);
    expect(JSON.parse(JSON.stringify(card))).toEqual(card);
  });

  it.each([
    { name: 'a missing tar', given: [tar(0, [0, 2]), tar(1, [2, 4])] },
    { name: 'a tar with the wrong identities', given: [tar(0, [0, 2]), tar(1, [2, 3]), tar(2, [4, 5])] },
    { name: 'a tar short of images', given: [tar(0, [0, 2]), { ...tar(1, [2, 4]), images: 3 }, tar(2, [4, 5])] },
  ])('refuses $name', ({ given }) => {
    expect(() => buildDatasetCard({ ...input, tars: given })).toThrow(DatasetFormatError);
  });
});
