import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointFiles } from '../../test/storage/fixtures.ts';
import { checkpointKeys } from '../output/index.ts';
import { type Body, openStore, StorageError, type Store, scopedStore } from '../storage/index.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { CheckpointError } from './errors.ts';
import { resolveCheckpoint } from './resolve.ts';

const clock = { now: () => Date.UTC(2026, 10, 27), sleep: async () => {} };
const freshDir = () => mkdtempSync(join(tmpdir(), 'id3-ckpt-'));
const ckpt = (step: number) => ({ step, metadata: { step, config: { channels: 8 } }, files: checkpointFiles(step) });

describe('CheckpointStore', () => {
  it('round-trips a checkpoint and points latest at it', async () => {
    const store = new CheckpointStore(openStore(freshDir()), { clock });
    const ref = await store.save(ckpt(10));
    expect(ref.step).toBe(10);
    expect(ref.marker.committedAt).toBe('2026-11-27T00:00:00.000Z');
    expect((await store.latest())?.step).toBe(10);
    expect(await store.load()).toEqual(ckpt(10));
  });

  it('keeps the newest K committed checkpoints and removes torn folders', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw, { keep: 2 });
    await raw.put(checkpointKeys.file(5, 'weights.bin'), 'torn by a kill'); // no marker
    for (const step of [10, 20, 30]) await store.save(ckpt(step));
    expect(await store.committedSteps()).toEqual([20, 30]);
    const left: string[] = [];
    for await (const o of raw.list('')) left.push(o.key.split('/')[0]!);
    expect([...new Set(left)]).toEqual(['latest', 'step-000000020', 'step-000000030']);
  });

  it('spares the steps dataset jobs hold until they release them, and survives a garbled hold', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw, { keep: 1, clock });
    await store.save(ckpt(10));
    await store.hold(10, 's3://datasets/a');
    await store.hold(10, '/data/b');
    await raw.put(checkpointKeys.hold('garbled'), '{ not json');
    await raw.put(checkpointKeys.hold('null'), 'null');
    for (const step of [20, 30]) await store.save(ckpt(step));
    expect(await store.committedSteps()).toEqual([10, 30]);
    expect((await store.holds()).map((h) => [h.step, h.holder, h.heldAt]).sort()).toEqual([
      [10, '/data/b', '2026-11-27T00:00:00.000Z'],
      [10, 's3://datasets/a', '2026-11-27T00:00:00.000Z'],
    ]);
    // Holding again moves a holder's claim; the step goes once nobody holds it.
    await store.hold(30, 's3://datasets/a');
    await store.release('/data/b');
    await store.release('/data/b');
    await store.save(ckpt(40));
    expect(await store.committedSteps()).toEqual([30, 40]);
    await store.release('s3://datasets/a');
    await store.save(ckpt(50));
    expect(await store.committedSteps()).toEqual([50]);
    expect(await store.load(50)).toEqual(ckpt(50));
  });

  it('lets a hold lapse when its holder stops renewing it', async () => {
    let now = Date.UTC(2026, 10, 27);
    const store = new CheckpointStore(openStore(freshDir()), {
      keep: 1,
      holdTtlMs: 3_600_000,
      clock: { now: () => now, sleep: async () => {} },
    });
    await store.save(ckpt(10));
    await store.hold(10, 'a deleted dataset job');
    now += 3_000_000;
    await store.save(ckpt(20));
    expect(await store.committedSteps()).toEqual([10, 20]);
    now += 1_000_000; // past the TTL: the job that held it is gone
    await store.save(ckpt(30));
    expect(await store.committedSteps()).toEqual([30]);
  });

  it.each([
    ['before', true, [10, 20]],
    ['after', false, [20]],
  ] as const)('never deletes a step held while retention runs (hold lands %s its mark)', async (when, held, left) => {
    const raw = openStore(freshDir());
    let holding: Promise<boolean> | undefined;
    const holdLate = () => {
      holding = new CheckpointStore(raw).holdStep(10, 's3://datasets/late');
      return holding;
    };
    // A dataset job plans on step 10 at the worst moments: after prune read the holds, around its PRUNING mark.
    const racing: Store = Object.create(raw, {
      put: {
        value: async (key: string, body: Body) => {
          const race = key === checkpointKeys.file(10, 'PRUNING') && !holding;
          if (race && when === 'before') await holdLate();
          await raw.put(key, body);
          if (race && when === 'after') await holdLate();
        },
      },
    });
    const store = new CheckpointStore(racing, { keep: 1 });
    await store.save(ckpt(10));
    await store.save(ckpt(20));
    // The holder is told whether it got the step; a step it was told it has is still there, whole.
    expect(await holding).toBe(held);
    expect(await store.committedSteps()).toEqual(left);
    if (held) expect(await store.load(10)).toEqual(ckpt(10));
  });

  it('settles the marks of a retention killed mid-way: a held step is kept whole, an unheld one goes', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw, { keep: 1 });
    await store.save(ckpt(10));
    await store.hold(10, 'a');
    await store.save(ckpt(20));
    // A retention killed after marking 10, before reading the holds again.
    await raw.put(checkpointKeys.file(10, 'PRUNING'), '');
    expect(await store.holdStep(10, 'b')).toBe(false); // marked: a new holder stays off until it is settled
    await store.save(ckpt(30));
    expect(await store.committedSteps()).toEqual([10, 30]);
    expect(await raw.exists(checkpointKeys.file(10, 'PRUNING'))).toBe(false);
    expect(await store.holdStep(10, 'b')).toBe(true);
    expect(await store.load(10)).toEqual(ckpt(10));
  });

  it('a retention that fails leaves the save committed and says so; the next one finishes', async () => {
    const raw = openStore(freshDir());
    const warnings: string[] = [];
    let failing = true;
    const flaky: Store = Object.create(raw, {
      delete: {
        value: async (key: string) => {
          if (failing && key.endsWith('weights.bin'))
            throw new StorageError('SlowDown', { uri: raw.uri(key), retryable: true });
          return raw.delete(key);
        },
      },
    });
    const store = new CheckpointStore(flaky, { keep: 1, onWarning: (m) => warnings.push(m) });
    await store.save(ckpt(10));
    const ref = await store.save(ckpt(20));
    expect(ref.step).toBe(20);
    expect((await store.latest())?.step).toBe(20);
    expect(warnings).toEqual(['checkpoint retention failed; the next save retries it (SlowDown)']);
    failing = false;
    await store.save(ckpt(30));
    expect(await store.committedSteps()).toEqual([30]);
    const left = new Set<string>();
    for await (const o of raw.list('')) left.add(o.key.split('/')[0]!);
    expect([...left].sort()).toEqual(['latest', 'step-000000030']);
  });

  it('ignores a hold without a time, and deletes expired ones', async () => {
    let now = Date.UTC(2026, 10, 27);
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw, {
      keep: 1,
      holdTtlMs: 1000,
      clock: { now: () => now, sleep: async () => {} },
    });
    await store.save(ckpt(10));
    await raw.put(checkpointKeys.hold('timeless'), JSON.stringify({ step: 10, holder: 'x' }));
    await store.hold(10, 'gone');
    now += 2000;
    await store.save(ckpt(20));
    expect(await store.committedSteps()).toEqual([20]);
    expect(await raw.exists(checkpointKeys.hold('timeless'))).toBe(true); // not ours to judge: only ignored
    const holds: string[] = [];
    for await (const o of raw.list('holds/')) holds.push(o.key);
    expect(holds).toEqual([checkpointKeys.hold('timeless')]);
  });

  it('skips retention, and says so, when the holds cannot be read', async () => {
    const raw = openStore(freshDir());
    const warnings: string[] = [];
    const denying: Store = Object.create(raw, {
      get: {
        value: async (key: string) => {
          if (key.startsWith('holds/')) throw new StorageError('AccessDenied', { uri: raw.uri(key) });
          return raw.get(key);
        },
      },
    });
    const store = new CheckpointStore(denying, { keep: 1, onWarning: (m) => warnings.push(m) });
    await store.save(ckpt(10));
    await store.hold(10, 'someone');
    await store.save(ckpt(20));
    expect(await store.committedSteps()).toEqual([10, 20]);
    expect(warnings).toEqual(['checkpoint retention skipped: the holds cannot be read (AccessDenied)']);
  });

  it('holdStep holds a committed step and refuses a deleted one, leaving no hold behind', async () => {
    const store = new CheckpointStore(openStore(freshDir()), { keep: 1 });
    await store.save(ckpt(10));
    expect(await store.holdStep(10, 'a')).toBe(true);
    expect(await store.holdStep(99, 'b')).toBe(false);
    expect((await store.holds()).map((h) => [h.step, h.holder])).toEqual([[10, 'a']]);
  });

  it('never follows latest to an uncommitted folder, and falls back to the newest committed one', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw);
    await store.save(ckpt(1));
    await store.save(ckpt(2));
    await raw.put(checkpointKeys.latest, JSON.stringify({ step: 3, dir: 'step-000000003' })); // a bad pointer
    expect((await store.latest())?.step).toBe(2);
    await raw.delete(checkpointKeys.latest);
    expect((await store.latest())?.step).toBe(2);
  });

  it('finishes an interrupted save of a step that was committed but not yet pointed to', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw);
    await store.save(ckpt(1));
    await store.save(ckpt(2));
    await raw.put(checkpointKeys.latest, JSON.stringify({ step: 1, dir: 'step-000000001' }));
    await store.save(ckpt(2));
    expect((await store.latest())?.step).toBe(2);
  });

  it('detects a corrupted file', async () => {
    const raw = openStore(freshDir());
    const store = new CheckpointStore(raw);
    await store.save(ckpt(7));
    await raw.put(checkpointKeys.file(7, 'ema.bin'), new Uint8Array(4096));
    await expect(store.load()).rejects.toBeInstanceOf(CheckpointError);
    await expect(new CheckpointStore(openStore(freshDir())).load()).rejects.toThrow(/no committed checkpoint/);
  });

  it.each<{ name: string; given: Record<string, Uint8Array> }>([
    { name: 'reserved name', given: { 'metadata.json': new Uint8Array() } },
    { name: 'escaping name', given: { '../x': new Uint8Array() } },
  ])('refuses a $name', async ({ given }) => {
    const store = new CheckpointStore(openStore(freshDir()));
    await expect(store.save({ step: 1, metadata: {}, files: given })).rejects.toThrow();
  });
});

describe('resolveCheckpoint', () => {
  it.each([
    { name: 'a training output root', given: (root: string) => root, want: 20 },
    { name: 'its checkpoints folder', given: (root: string) => `${root}/checkpoints`, want: 20 },
    { name: 'one checkpoint folder', given: (root: string) => `${root}/checkpoints/step-000000010/`, want: 10 },
  ])('accepts $name', async ({ given, want }) => {
    const root = freshDir();
    const checkpoints = new CheckpointStore(scopedStore(openStore(root), 'checkpoints'));
    await checkpoints.save(ckpt(10));
    await checkpoints.save(ckpt(20));
    const open = (uri: string): Store => openStore(uri);
    const resolved = await resolveCheckpoint(given(root), open);
    expect(resolved.step).toBe(want);
    expect((await resolved.checkpoints.load(resolved.step)).files).toEqual(checkpointFiles(want));
  });

  it('refuses a folder without checkpoints, and an uncommitted step', async () => {
    const root = freshDir();
    await expect(resolveCheckpoint(root, (u) => openStore(u))).rejects.toBeInstanceOf(CheckpointError);
    await expect(resolveCheckpoint(`${root}/step-000000001`, (u) => openStore(u))).rejects.toThrow(/not a committed/);
  });
});
