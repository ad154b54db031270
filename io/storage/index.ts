/**
 * Storage: one `Store` interface over URIs — a local path or `file://` URI (LocalStore) and `s3://bucket/prefix` on
 * any S3-compatible endpoint (S3Store: Ceph RGW, MinIO, R2, AWS) — with atomic puts, streaming reads and writes,
 * multipart uploads, paginated listing in key order, create-if-absent (conditional PUT, with a documented fallback),
 * retries with jittered exponential backoff (clock and rng injectable), and named errors that keep a credential-free
 * `cause`. `openStore(uri, spec.storage, env)` is the entry point; keys are `/`-separated paths under the root.
 */
export {
  InvalidUriError,
  isPermanentStorageError,
  ObjectNotFoundError,
  PreconditionFailedError,
  StorageError,
} from './errors.ts';
export {
  bodyBytes,
  deletePrefix,
  jsonBytes,
  mapLimit,
  readAll,
  readJson,
  readJsonIfExists,
  readText,
  sha256Hex,
  watchSource,
  writeJson,
} from './io.ts';
export { LocalStore } from './local.ts';
export { openStore } from './open.ts';
export { redactText, scrubError } from './redact.ts';
export {
  backoffDelay,
  type Clock,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type Rng,
  systemClock,
  withRetry,
} from './retry.ts';
export { S3Store, type S3StoreOptions } from './s3.ts';
export { type Env, resolveS3Settings, type S3Credentials, type S3Settings } from './s3-config.ts';
export { isRetryableS3Error } from './s3-errors.ts';
export { scopedStore } from './scoped.ts';
export type { Body, ObjectInfo, PutOptions, StorageLogger, Store } from './store.ts';
export { checkKey, checkPrefix, formatUri, joinKey, parseStorageUri, type StorageLocation } from './uri.ts';
