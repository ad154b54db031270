/**
 * The Store contract: one suite of tests that runs unchanged against every backend (local disk and the Ceph RADOS
 * Gateway), covering the store itself and everything built on it that must survive kills.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { datasetKeys, memberNames } from '../../io/output/index.ts';
import {
  mapLimit,
  ObjectNotFoundError,
  PreconditionFailedError,
  readAll,
  StorageError,
  type Store,
} from '../../io/storage/index.ts';
import {
  describeOutput,
  MarkedOutputMismatchError,
  readMarkedOutput,
  runTask,
  TaskMarkers,
} from '../../io/tasks/index.ts';
import { ShardWriter, tarArchive } from '../../worker/dataset/index.ts';
import { checkpointFiles, KILL_DATASET, sampleImage, tarSpec } from './fixtures.ts';

export interface StoreUnderTest {
  name: string;
  /** A new, empty root for one test. */
  freshUri(): string;
  open(uri: string): Store;
  /** The environment a worker process needs to open the same URIs (S3 endpoint and keys). */
  childEnv: NodeJS.ProcessEnv;
  /** S3 reports multipart uploads by an ETag ending in -<parts>. */
  multipartEtags: boolean;
}

const MiB = 1024 * 1024;
const CHILD = join(import.meta.dirname, 'child.ts');

export function storeContract(t: StoreUnderTest): void {
  const fresh = () => t.open(t.freshUri());

  describe(`Store contract: ${t.name}`, () => {
    it('round-trips bytes, text, empty objects and keys with spaces and non-ASCII characters', async () => {
      const store = fresh();
      const cases: [string, Uint8Array | string][] = [
        ['a/b/c.bin', new Uint8Array([0, 1, 2, 255])],
        ['text.txt', 'héllo wörld\n'],
        ['empty', new Uint8Array()],
        ['odd keys/sp ace+plus=eq&amp;ü/ñ.json', '{"x":1}'],
      ];
      for (const [key, body] of cases) await store.put(key, body);
      for (const [key, body] of cases) {
        const want = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
        expect(Buffer.from(await store.get(key))).toEqual(want);
        expect((await store.head(key))?.size).toBe(want.length);
      }
      await store.put('text.txt', 'replaced');
      expect(Buffer.from(await store.get('text.txt')).toString()).toBe('replaced');
      expect(store.uri('a/b/c.bin').endsWith('/a/b/c.bin')).toBe(true);
    });

    it('streams a 12 MiB object in and out (multipart above 5 MiB), with ranged reads', async () => {
      const store = fresh();
      const chunks = Array.from({ length: 12 }, (_, i) => pseudoRandom(MiB, i + 1));
      await store.put('big/blob.bin', Readable.from(chunks));
      const whole = Buffer.concat(chunks);
      const info = await store.head('big/blob.bin');
      expect(info?.size).toBe(12 * MiB);
      if (t.multipartEtags) expect(info?.etag).toMatch(/-\d+$/);
      const back = await readAll(await store.getStream('big/blob.bin'));
      expect(sha(back)).toBe(sha(whole));
      const range = await store.getRange('big/blob.bin', 5 * MiB - 3, 10);
      expect(Buffer.from(range)).toEqual(whole.subarray(5 * MiB - 3, 5 * MiB + 7));
      expect((await store.getRange('big/blob.bin', 12 * MiB - 4, 100)).byteLength).toBe(4);
    });

    it('reports missing objects by name, and deleting one is not an error', async () => {
      const store = fresh();
      await expect(store.get('nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getStream('nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getRange('nope', 0, 4)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.get('nope')).rejects.toBeInstanceOf(StorageError);
      expect(await store.head('nope')).toBeUndefined();
      expect(await store.exists('nope')).toBe(false);
      await store.put('gone', 'x');
      await store.delete('gone');
      await store.delete('gone');
      expect(await store.exists('gone')).toBe(false);
    });

    it('lists past 1000 keys in ascending key order, page by page, within the prefix only', async () => {
      const store = fresh();
      const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
      await mapLimit(keys, 32, (k) => store.put(k, k));
      // A folder sorts by its keys ('sub/x' after 'sub-y', since '-' < '/'), as S3 sorts them.
      for (const k of ['many-sibling', 'many/sub/x', 'many/sub-y']) await store.put(k, 'x');
      const listed: string[] = [];
      for await (const o of store.list('many/')) listed.push(o.key);
      expect(listed).toEqual([...keys, 'many/sub-y', 'many/sub/x']);
      expect([...listed].sort(byteOrder)).toEqual(listed);
      const narrow: string[] = [];
      for await (const o of store.list('many/100')) narrow.push(o.key);
      expect(narrow).toEqual(['many/1000']);
    });

    it('creates if absent exactly once when eight writers race', async () => {
      const store = fresh();
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.putIfAbsent('tasks/x.done', `writer ${i}`)),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(PreconditionFailedError);
      }
      expect(Buffer.from(await store.get('tasks/x.done')).toString()).toBe(`writer ${won[0]}`);
      await expect(store.putIfAbsent('tasks/x.done', 'late')).rejects.toBeInstanceOf(PreconditionFailedError);
    });

    it('leaves nothing visible when a streamed upload fails, and passes the producer its own error', async () => {
      const store = fresh();
      class ProducerError extends Error {}
      async function* failing(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < 6; i++) yield pseudoRandom(MiB, 100 + i);
        throw new ProducerError('the input ran out');
      }
      await expect(store.put('failed/blob.bin', failing())).rejects.toBeInstanceOf(ProducerError);
      expect(await store.exists('failed/blob.bin')).toBe(false);
      expect(await keysOf(store, '')).toEqual([]);
    });

    it('leaves nothing visible when a writer is killed mid-upload', async () => {
      const uri = t.freshUri();
      await killWhenStalled('stream-put', uri, t.childEnv);
      const store = t.open(uri);
      expect(await store.exists('killed/big.bin')).toBe(false);
      expect(await keysOf(store, '')).toEqual([]);
    });

    it('leaves no tar when a generate worker is killed mid-shard; the retry resumes to the same bytes', async () => {
      const uri = t.freshUri();
      await killWhenStalled('shard', uri, t.childEnv);
      const store = t.open(uri);
      expect(await keysOf(store, 'shards/')).toEqual([]);
      expect(await keysOf(store, 'staging/')).toEqual([datasetKeys.stagedIdentity(0, 0)]);

      const writer = await ShardWriter.open(store, tarSpec(KILL_DATASET, 0));
      expect(writer.pendingIdentities()).toEqual([1]);
      for (let image = 0; image < 3; image++) await writer.add(await sampleImage(1, image));
      const committed = await writer.commit();
      expect(await keysOf(store, '')).toEqual([datasetKeys.tarIndex(0), datasetKeys.tar(0)]);

      const oneRun = await oneRunTar(KILL_DATASET.imagesPerIdentity);
      const stored = await store.get(datasetKeys.tar(0));
      expect(sha(stored)).toBe(sha(oneRun));
      expect(committed.sha256).toBe(sha(oneRun));
    });

    it('keeps the previous latest checkpoint when a save is killed; the next saves prune to keep-last-K', async () => {
      const uri = t.freshUri();
      await killWhenStalled('checkpoint', uri, t.childEnv);
      const store = t.open(uri);
      const checkpoints = new CheckpointStore(store, { keep: 2 });
      expect((await checkpoints.latest())?.step).toBe(1);
      expect(await checkpoints.committedSteps()).toEqual([1]);
      expect((await keysOf(store, 'step-000000002/')).length).toBeGreaterThan(0); // the torn one is there, unused
      const loaded = await checkpoints.load();
      expect(loaded).toEqual({ step: 1, metadata: { step: 1 }, files: checkpointFiles(1) });

      for (const step of [2, 3, 4]) await checkpoints.save({ step, metadata: { step }, files: checkpointFiles(step) });
      expect(await checkpoints.committedSteps()).toEqual([3, 4]);
      expect((await checkpoints.latest())?.step).toBe(4);
      expect(await keysOf(store, 'step-000000002/')).toEqual([]);
      expect((await checkpoints.load(3)).files).toEqual(checkpointFiles(3));
    });

    it('trusts only marked task outputs; a finished task never reruns; a half-written one is replaced', async () => {
      const store = fresh();
      const markers = new TaskMarkers(store);
      const task = { stage: 'generate', index: 3 };
      const killed = runTask(markers, task, async () => {
        await store.put('out/3.bin', 'half of it');
        throw new Error('killed before its marker');
      });
      await expect(killed).rejects.toThrow('killed');
      expect(await markers.listDone('generate')).toEqual([]);

      let runs = 0;
      const work = async () => {
        runs++;
        const bytes = Buffer.from('the whole output');
        await store.put('out/3.bin', bytes);
        return { outputs: [describeOutput('out/3.bin', bytes)], summary: { images: 1 } };
      };
      const first = await runTask(markers, task, work);
      const again = await runTask(markers, task, work);
      expect({ runs, skipped: [first.skipped, again.skipped] }).toEqual({ runs: 1, skipped: [false, true] });
      expect((await markers.listDone('generate')).map((m) => m.index)).toEqual([3]);
      const output = first.marker.outputs[0]!;
      expect(Buffer.from(await readMarkedOutput(store, output)).toString()).toBe('the whole output');
      await store.put('out/3.bin', 'rewritten later');
      await expect(readMarkedOutput(store, output)).rejects.toBeInstanceOf(MarkedOutputMismatchError);
    });
  });
}

/** The tar of identities 0 and 1 written in one go, to compare a resumed tar with. */
async function oneRunTar(imagesPerIdentity: number): Promise<Uint8Array> {
  const { tarFragment, sidecarBytes } = await import('../../worker/dataset/index.ts');
  const fragments: Uint8Array[] = [];
  for (const identity of [0, 1]) {
    const members = [];
    for (let image = 0; image < imagesPerIdentity; image++) {
      const g = await sampleImage(identity, image);
      const names = memberNames(identity, image, 'png');
      members.push({ name: names.image, data: g.bytes }, { name: names.meta, data: sidecarBytes(g.meta) });
    }
    fragments.push(await tarFragment(members));
  }
  return tarArchive(fragments);
}

/** Runs test/storage/child.ts until it prints STALLED, then SIGKILLs it. */
async function killWhenStalled(mode: string, uri: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, uri], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`child ${mode} did not stall in 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (d) => {
      if (String(d).includes('STALLED')) {
        clearTimeout(timer);
        done();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`child ${mode} exited with ${code} before stalling: ${stderr}`));
    });
  });
  child.kill('SIGKILL');
  await exited;
}

async function keysOf(store: Store, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

/** Deterministic incompressible bytes (xorshift32), different for each seed. */
function pseudoRandom(size: number, seed: number): Buffer {
  const words = new Uint32Array(size / 4);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer);
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
