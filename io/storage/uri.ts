import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidUriError } from './errors.ts';

/** Where a store's root lives. Local roots are absolute; `style` remembers how the URI was written. */
export type StorageLocation =
  | { scheme: 'file'; root: string; style: 'path' | 'file-uri' }
  | { scheme: 's3'; bucket: string; prefix: string };

// The CRDs' rule for bucket names (S3's DNS-compatible names).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/**
 * Parses `s3://bucket[/prefix]`, `file:///abs/path` or an absolute local path. Relative paths are refused: the caller
 * (the runner) resolves them against the job file's folder, which the store cannot know.
 */
export function parseStorageUri(uri: string): StorageLocation {
  if (uri.startsWith('s3://')) return parseS3(uri);
  if (uri.startsWith('file://')) return parseFileUri(uri);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri))
    throw new InvalidUriError(uri, 'unsupported scheme (use s3://, file:// or a path)');
  if (!isAbsolute(uri))
    throw new InvalidUriError(uri, "a relative path; resolve it against the job file's folder first");
  return { scheme: 'file', root: resolve(uri), style: 'path' };
}

function parseS3(uri: string): StorageLocation {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket)) throw new InvalidUriError(uri, 'bucket names are 3-63 characters of a-z, 0-9, . and -');
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  if (prefix !== '') checkSegments(uri, prefix);
  return { scheme: 's3', bucket, prefix };
}

function parseFileUri(uri: string): StorageLocation {
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch (err) {
    throw new InvalidUriError(uri, (err as Error).message);
  }
  return { scheme: 'file', root: resolve(path), style: 'file-uri' };
}

/** Refuses keys that would escape the root or that backends disagree on (empty, `.`/`..` segments, `//`, `\0`). */
export function checkKey(key: string): string {
  if (key === '') throw new InvalidUriError(key, 'empty key');
  checkSegments(key, key);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new InvalidUriError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  return key;
}

/** A listing prefix: like a key, but may be empty or end with `/`. */
export function checkPrefix(prefix: string): string {
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (body !== '') checkSegments(prefix, body);
  return prefix;
}

function checkSegments(what: string, path: string): void {
  if (path.includes('\0')) throw new InvalidUriError(what, 'contains a NUL byte');
  if (path.includes('\\')) throw new InvalidUriError(what, 'contains a backslash');
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw new InvalidUriError(what, 'empty, "." or ".." path segment');
  }
}

/** Joins key segments with `/`, ignoring empty ones, so `joinKey(prefix, 'a')` works for an empty prefix too. */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/');
}

/** The full URI of a key under a location, written in the style the location was given in. */
export function formatUri(loc: StorageLocation, key: string): string {
  if (loc.scheme === 's3') return `s3://${loc.bucket}/${joinKey(loc.prefix, key)}`;
  const path = key === '' ? loc.root : join(loc.root, key);
  return loc.style === 'file-uri' ? pathToFileURL(path).href : path;
}
