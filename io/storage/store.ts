import type { Readable } from 'node:stream';

/** One stored object. `key` is relative to the store's root. */
export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

/** What `put` accepts: bytes, text (UTF-8), or a stream of bytes (a Node Readable is one). */
export type Body = Uint8Array | string | AsyncIterable<Uint8Array>;

export interface PutOptions {
  contentType?: string;
}

/**
 * Objects under one root URI. Keys are `/`-separated paths relative to the root. A `put` is atomic: readers see the
 * old object or the whole new one, never a part, and a writer killed mid-put leaves nothing visible.
 */
export interface Store {
  /** The root URI, normalised. */
  readonly root: string;
  /** The full URI of a key (`s3://bucket/prefix/key`, `file:///…/key` or `/…/key`, in the root's style). */
  uri(key: string): string;
  /** The whole object; throws ObjectNotFoundError. */
  get(key: string): Promise<Uint8Array>;
  /** `length` bytes from `offset` (fewer at the end of the object); throws ObjectNotFoundError. */
  getRange(key: string, offset: number, length: number): Promise<Uint8Array>;
  /** A stream of the object; throws ObjectNotFoundError before the first byte, not during reading. */
  getStream(key: string): Promise<Readable>;
  /** Creates or replaces the object. Streams of unknown length are uploaded in parts (multipart on S3). */
  put(key: string, body: Body, opts?: PutOptions): Promise<void>;
  /** Creates the object only if no object has the key; throws PreconditionFailedError otherwise. */
  putIfAbsent(key: string, body: Uint8Array | string, opts?: PutOptions): Promise<void>;
  /** Size and version of the object, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Objects whose key starts with `prefix`, in ascending byte order of their keys, page by page. */
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
}

/** The part of a pino logger the storage layer uses (retries are logged at warn, with no credentials). */
export interface StorageLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}
