/**
 * Procedural fixtures are a training input as ID3TrainingJob reads it: the dataset layer's imagefolder reader finds
 * every picture with its attributes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../io/storage/index.ts';
import { defaultAttributeSpread, writeFaceFixtures } from '../../tools/faces/index.ts';
import { readTrainingInput } from '../../worker/dataset/index.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('id3 fixtures faces output', () => {
  it('reads back through the imagefolder training input with attributes for every picture', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'id3-faces-'));
    dirs.push(dir);
    const store = openStore(dir);
    await writeFaceFixtures(
      { identities: 3, perIdentity: 2, size: 16, seed: 9, spread: defaultAttributeSpread },
      store,
    );
    const samples = [];
    for await (const s of readTrainingInput({ store, format: 'imagefolder', seed: 1, attributes: 'dataset' })) {
      samples.push(s);
    }
    expect(samples.map((s) => s.key).sort()).toEqual([
      'images/000000/000',
      'images/000000/001',
      'images/000001/000',
      'images/000001/001',
      'images/000002/000',
      'images/000002/001',
    ]);
    for (const s of samples) {
      expect(s.format).toBe('png');
      expect(Object.keys(s.attributes ?? {}).sort()).toEqual(['age', 'pitch', 'roll', 'yaw']);
    }
  });
});
