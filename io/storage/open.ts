import type { StorageSpec } from '../../api/index.ts';
import { LocalStore } from './local.ts';
import { S3Store, type S3StoreOptions } from './s3.ts';
import { type Env, resolveS3Settings } from './s3-config.ts';
import type { Store } from './store.ts';
import { parseStorageUri } from './uri.ts';

/**
 * Opens the store for a URI: `s3://bucket/prefix` (configured from the job's `spec.storage` and the environment, see
 * resolveS3Settings), `file:///abs/path` or an absolute local path. Relative paths are the caller's to resolve.
 * Opening does no I/O: a missing bucket or folder shows on first use.
 */
export function openStore(
  uri: string,
  storage?: Partial<StorageSpec>,
  env: Env = process.env,
  opts: S3StoreOptions = {},
): Store {
  const loc = parseStorageUri(uri);
  if (loc.scheme === 'file') return new LocalStore(loc);
  return new S3Store(loc, resolveS3Settings(storage, env), opts);
}
