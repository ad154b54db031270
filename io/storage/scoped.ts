import type { Readable } from 'node:stream';
import type { Body, ObjectInfo, PutOptions, Store } from './store.ts';
import { checkPrefix, joinKey } from './uri.ts';

/**
 * The store under `prefix` of another store, e.g. a training output's `checkpoints/` folder: what a reader gets when
 * it is given the checkpoints URI directly, without opening a second client.
 */
export function scopedStore(parent: Store, prefix: string): Store {
  const base = joinKey(prefix);
  checkPrefix(`${base}/`);
  const full = (key: string) => `${base}/${key}`;
  return {
    root: parent.uri(base),
    uri: (key: string) => parent.uri(full(key)),
    get: (key: string) => parent.get(full(key)),
    getRange: (key: string, offset: number, length: number) => parent.getRange(full(key), offset, length),
    getStream: (key: string): Promise<Readable> => parent.getStream(full(key)),
    put: (key: string, body: Body, opts?: PutOptions) => parent.put(full(key), body, opts),
    putIfAbsent: (key: string, body: Uint8Array | string, opts?: PutOptions) =>
      parent.putIfAbsent(full(key), body, opts),
    head: async (key: string) => {
      const info = await parent.head(full(key));
      return info && { ...info, key };
    },
    exists: (key: string) => parent.exists(full(key)),
    list: (prefix = '') => strip(parent.list(full(prefix)), base.length + 1),
    delete: (key: string) => parent.delete(full(key)),
  };
}

async function* strip(items: AsyncIterable<ObjectInfo>, n: number): AsyncIterable<ObjectInfo> {
  for await (const o of items) yield { ...o, key: o.key.slice(n) };
}
