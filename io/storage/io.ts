import { createHash } from 'node:crypto';
import { ObjectNotFoundError } from './errors.ts';
import type { Body, Store } from './store.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a stream to the end into one buffer. */
export async function readAll(stream: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Bytes of a body that is not a stream. */
export function bodyBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/**
 * Wraps a stream so that an error of its producer can be told apart from the consumer's: a writer that finds its own
 * input wrong is rethrown as it is rather than as a StorageError; a download that drops mid-tar is not a corrupt tar.
 */
export function watchSource(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): {
  stream: AsyncIterable<Uint8Array>;
  failure: () => { error: unknown } | undefined;
} {
  let failure: { error: unknown } | undefined;
  async function* stream(): AsyncIterable<Uint8Array> {
    try {
      yield* body;
    } catch (error) {
      failure = { error };
      throw error;
    }
  }
  return { stream: stream(), failure: () => failure };
}

export function isStreamBody(body: Body): body is AsyncIterable<Uint8Array> {
  return typeof body !== 'string' && !(body instanceof Uint8Array);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readText(store: Store, key: string): Promise<string> {
  return utf8.decode(await store.get(key));
}

export async function readJson<T = unknown>(store: Store, key: string): Promise<T> {
  return JSON.parse(await readText(store, key)) as T;
}

/** Like readJson, but undefined when the object does not exist. */
export async function readJsonIfExists<T = unknown>(store: Store, key: string): Promise<T | undefined> {
  try {
    return await readJson<T>(store, key);
  } catch (err) {
    if (err instanceof ObjectNotFoundError) return undefined;
    throw err;
  }
}

/** Pretty JSON with a final newline, so that stored documents diff well and `cat` cleanly. */
export function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

export async function writeJson(store: Store, key: string, value: unknown): Promise<void> {
  await store.put(key, jsonBytes(value), { contentType: 'application/json' });
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true; // stop starting new calls; the first error is what the caller sees
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Deletes every object under a prefix (S3 has no folders: this is how one removes one). */
export async function deletePrefix(store: Store, prefix: string, concurrency = 16): Promise<number> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  await mapLimit(keys, concurrency, (k) => store.delete(k));
  return keys.length;
}
