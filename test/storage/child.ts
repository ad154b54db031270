/**
 * A worker process for the kill tests: it opens the store at a URI (S3 settings from its environment, as a worker
 * pod's), does part of a write, prints STALLED, then waits forever for the SIGKILL its parent sends.
 *   stream-put URI      streams 6 MiB of an object that never ends
 *   shard URI           stages identity 0 of tar 0 and half of identity 1
 *   checkpoint URI      commits step 1, then dies between the files of step 2
 */

import { pathToFileURL } from 'node:url';
import { CheckpointStore } from '../../io/checkpoints/index.ts';
import { openStore, type Store } from '../../io/storage/index.ts';
import { ShardWriter } from '../../worker/dataset/index.ts';
import { checkpointFiles, KILL_DATASET, sampleImage, tarSpec } from './fixtures.ts';

const stall = (): Promise<never> => {
  process.stdout.write('STALLED\n');
  return new Promise(() => {});
};

async function streamPut(store: Store): Promise<void> {
  async function* endless(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 6; i++) yield new Uint8Array(1024 * 1024).fill(i + 1);
    await new Promise((done) => setTimeout(done, 500)); // let the first part leave
    await stall();
  }
  await store.put('killed/big.bin', endless());
}

async function shard(store: Store): Promise<void> {
  const writer = await ShardWriter.open(store, tarSpec(KILL_DATASET, 0));
  for (let image = 0; image < 3; image++) await writer.add(await sampleImage(0, image));
  await writer.add(await sampleImage(1, 0));
  await stall();
}

async function checkpoint(store: Store): Promise<void> {
  await new CheckpointStore(store, { concurrency: 1 }).save({
    step: 1,
    metadata: { step: 1 },
    files: checkpointFiles(1),
  });
  let puts = 0;
  const dying = withPut(store, async (key, body, opts) => {
    if (++puts === 2) await stall(); // one file of step 2 is written, the rest never will be
    return store.put(key, body, opts);
  });
  await new CheckpointStore(dying, { concurrency: 1 }).save({
    step: 2,
    metadata: { step: 2 },
    files: checkpointFiles(2),
  });
}

/** The store with another `put`: the fault injected at the boundary between the checkpoint code and storage. */
function withPut(store: Store, put: Store['put']): Store {
  return {
    root: store.root,
    uri: (k) => store.uri(k),
    get: (k) => store.get(k),
    getRange: (k, offset, length) => store.getRange(k, offset, length),
    getStream: (k) => store.getStream(k),
    put,
    putIfAbsent: (k, body, opts) => store.putIfAbsent(k, body, opts),
    head: (k) => store.head(k),
    exists: (k) => store.exists(k),
    list: (prefix) => store.list(prefix),
    delete: (k) => store.delete(k),
  };
}

const [mode, uri] = process.argv.slice(2);
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && mode && uri) {
  const store = openStore(uri, undefined, process.env);
  const run = { 'stream-put': streamPut, shard, checkpoint }[mode];
  if (!run) throw new Error(`unknown mode ${mode}`);
  await run(store);
}
