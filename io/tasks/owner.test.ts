import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admitOrThrow, type Id3Job, PermanentInputError } from '../../api/index.ts';
import { datasetJob } from '../../test/builders.ts';
import { jobKeys } from '../output/index.ts';
import { openStore } from '../storage/index.ts';
import { claimOutput, outputConflict, ownsOutput } from './owner.ts';

const fresh = () => openStore(mkdtempSync(join(tmpdir(), 'id3-owner-')));
const job = (name = 'a', seed = 1, ns?: string) =>
  admitOrThrow((ns ? datasetJob(name).namespace(ns) : datasetJob(name)).set('spec.seed', seed).obj()) as Id3Job;

describe('output ownership', () => {
  it('claims an empty location, and lets the same job back in', async () => {
    const store = fresh();
    expect(await outputConflict(store, job())).toBeUndefined();
    await claimOutput(store, job());
    expect(await store.exists(jobKeys.owner)).toBe(true);
    await claimOutput(store, job());
    expect(await ownsOutput(store, job())).toBe(true);
  });

  it('refuses another job’s output with the defining fields that differ', async () => {
    const store = fresh();
    await claimOutput(store, job('a', 1));
    await expect(claimOutput(store, job('a', 2))).rejects.toThrow(/spec\.seed: 2 here, 1 there/);
    await expect(claimOutput(store, job('a', 2))).rejects.toBeInstanceOf(PermanentInputError);
  });

  it('refuses a location holding files of no id3 job, naming them, and writes nothing', async () => {
    const store = fresh();
    await store.put('manifest.json', '{}');
    await store.put('photos/me.jpg', 'jpeg');
    const conflict = await outputConflict(store, job());
    expect(conflict).toContain('is not empty and holds no id3 job');
    expect(conflict).toContain('manifest.json');
    expect(conflict).toContain('photos/me.jpg');
    await expect(claimOutput(store, job())).rejects.toBeInstanceOf(PermanentInputError);
    expect(await store.exists(jobKeys.owner)).toBe(false);
    // Without a job to fingerprint (a model not resolved yet), foreign files are still refused.
    expect(await outputConflict(store, undefined)).toContain('manifest.json');
  });

  it('owns an output only as the same job: a namesake with other fields, or another name, owns nothing', async () => {
    const store = fresh();
    await claimOutput(store, job('a', 1, 'faces'));
    expect(await ownsOutput(store, job('a', 1, 'faces'))).toBe(true);
    expect(await ownsOutput(store, job('b', 1, 'faces'))).toBe(false);
    expect(await ownsOutput(store, job('a', 2, 'faces'))).toBe(false);
    expect(await ownsOutput(store, job('a', 1, 'other'))).toBe(false);
    expect(await ownsOutput(fresh(), job('a', 1, 'faces'))).toBe(false);
  });

  it('lets one of two jobs racing for an empty location win; the other is refused', async () => {
    const store = fresh();
    const results = await Promise.allSettled([claimOutput(store, job('a', 1)), claimOutput(store, job('b', 2))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
  });
});
