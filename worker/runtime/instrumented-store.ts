import type { Counter } from 'prom-client';
import { StorageError, type Store } from '../../io/storage/index.ts';

/**
 * A store that counts its failures (after the storage layer's own retries) in id3_worker_storage_errors_total, by
 * operation, so that a flaky endpoint shows on the data-plane dashboard before it fails jobs.
 */
export function instrumentedStore(store: Store, errors: Counter<'operation'>): Store {
  const count = <T>(operation: string, p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      if (err instanceof StorageError && err.name !== 'ObjectNotFoundError') errors.inc({ operation });
      throw err;
    });
  return {
    root: store.root,
    uri: (key) => store.uri(key),
    get: (key) => count('get', store.get(key)),
    getRange: (key, offset, length) => count('get', store.getRange(key, offset, length)),
    getStream: (key) => count('get', store.getStream(key)),
    put: (key, body, opts) => count('put', store.put(key, body, opts)),
    putIfAbsent: (key, body, opts) => count('put', store.putIfAbsent(key, body, opts)),
    head: (key) => count('get', store.head(key)),
    exists: (key) => count('get', store.exists(key)),
    list: (prefix) => countIterable(store.list(prefix), () => errors.inc({ operation: 'list' })),
    delete: (key) => count('delete', store.delete(key)),
  };
}

async function* countIterable<T>(it: AsyncIterable<T>, onError: () => void): AsyncIterable<T> {
  try {
    yield* it;
  } catch (err) {
    if (err instanceof StorageError) onError();
    throw err;
  }
}
