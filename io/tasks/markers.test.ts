import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../storage/index.ts';
import { describeOutput, runTask, TaskMarkers } from './markers.ts';

const clock = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), sleep: async () => {} };
const fresh = () => openStore(mkdtempSync(join(tmpdir(), 'id3-tasks-')));

describe('TaskMarkers', () => {
  it('records outputs with size and sha256, and lists finished tasks by index', async () => {
    const store = fresh();
    const markers = new TaskMarkers(store, { clock });
    const out = describeOutput('shards/000001.tar', Buffer.from('abc'));
    expect(out).toEqual({
      key: 'shards/000001.tar',
      bytes: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    await markers.markDone('generate', 2, [out], { images: 3 });
    await markers.markDone('generate', 0, []);
    await markers.markDone('prepare', 1, []);
    const done = await markers.listDone('generate');
    expect(done.map((m) => m.index)).toEqual([0, 2]);
    expect(done[1]).toEqual({
      stage: 'generate',
      index: 2,
      finishedAt: '2026-01-02T03:04:05.000Z',
      outputs: [out],
      summary: { images: 3 },
    });
    expect(await markers.isDone('prepare', 1)).toBe(true);
    await markers.clear('prepare', 1);
    expect(await markers.isDone('prepare', 1)).toBe(false);
  });

  it('keeps the first marker when two attempts of a task finish together', async () => {
    const markers = new TaskMarkers(fresh(), { clock });
    const [a, b] = await Promise.all([
      markers.markDone('generate', 5, [], { attempt: 'a' }),
      markers.markDone('generate', 5, [], { attempt: 'b' }),
    ]);
    const stored = await markers.read('generate', 5);
    expect([a.summary, b.summary]).toContainEqual(stored?.summary);
    expect(a.summary).toEqual(b.summary);
  });

  it('runTask does the work once', async () => {
    const markers = new TaskMarkers(fresh(), { clock });
    let runs = 0;
    const work = async () => {
      runs++;
      return { outputs: [] };
    };
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await runTask(markers, { stage: 'plan', index: 0 }, work)).skipped);
    expect({ runs, results }).toEqual({ runs: 1, results: [false, true, true] });
  });
});
