import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { type FileHandle, link, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidUriError, ObjectNotFoundError, PreconditionFailedError, StorageError } from './errors.ts';
import { bodyBytes, isStreamBody, watchSource } from './io.ts';
import type { Body, ObjectInfo, Store } from './store.ts';
import { checkKey, checkPrefix, formatUri, type StorageLocation } from './uri.ts';

/** Marks a file being written; listings never show one, so a writer killed mid-put leaves nothing visible. */
const TEMP_MARK = '.id3tmp-';

type FileLocation = Extract<StorageLocation, { scheme: 'file' }>;

/**
 * A folder as a store. Writes go to a temporary file beside the target, are flushed, then renamed over it (atomic on
 * POSIX); create-if-absent hard-links the temporary file to the target, which fails atomically when it exists.
 * Unlike S3, a key cannot be both an object and a "folder" of other keys (`a` and `a/b`).
 */
export class LocalStore implements Store {
  readonly root: string;

  constructor(private readonly loc: FileLocation) {
    this.root = formatUri(loc, '');
  }

  uri(key: string): string {
    return formatUri(this.loc, key);
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.path(key);
    try {
      return plain(await readFile(path));
    } catch (err) {
      throw this.translate(err, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const fh = await open(this.path(key), 'r').catch((err) => Promise.reject(this.translate(err, key)));
    try {
      const buf = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await fh.read(buf, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return plain(buf.subarray(0, filled));
    } finally {
      await fh.close();
    }
  }

  async getStream(key: string): Promise<Readable> {
    // Opening first makes a missing object fail here rather than on the first read.
    const fh = await open(this.path(key), 'r').catch((err) => Promise.reject(this.translate(err, key)));
    return fh.createReadStream();
  }

  async put(key: string, body: Body): Promise<void> {
    const path = this.path(key);
    const tmp = await this.writeTemp(path, body, key);
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw this.translate(err, key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.path(key);
    const tmp = await this.writeTemp(path, body, key);
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PreconditionFailedError(this.uri(key), err);
      throw this.translate(err, key);
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.translate(err, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    checkPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dir = slash < 0 ? '' : prefix.slice(0, slash);
    for await (const key of this.walk(dir)) {
      if (!key.startsWith(prefix)) continue;
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (err) {
      if (!isMissing(err)) throw this.translate(err, key);
    }
    await this.pruneEmptyFolders(dirname(this.path(key)));
  }

  /**
   * Removes the folders a delete left empty, up to the root, so that a store behaves like S3 (where a prefix with no
   * keys does not exist): checkpoint retention must not leave a trail of empty step folders. rmdir refuses a folder
   * that is not empty, so a concurrent writer's folder survives; createTemp re-creates one removed under its feet.
   */
  private async pruneEmptyFolders(dir: string): Promise<void> {
    const root = this.loc.root.replace(/\/+$/, '');
    for (let d = dir; d.length > root.length && d.startsWith(`${root}/`); d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty (or gone, or not ours to remove): the folders above are not empty either
      }
    }
  }

  private path(key: string): string {
    checkKey(key);
    if (key.includes(TEMP_MARK)) throw new InvalidUriError(key, `"${TEMP_MARK}" is reserved for files being written`);
    return join(this.loc.root, key);
  }

  /** Keys under `dir` in ascending byte order: a folder sorts as its name plus `/`, exactly as its keys do. */
  private async *walk(dir: string): AsyncIterable<string> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.loc.root, dir), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw this.translate(err, dir);
    }
    const sorted = entries
      .filter((e) => !e.name.includes(TEMP_MARK) && (e.isFile() || e.isDirectory()))
      .map((e) => ({ e, sortKey: Buffer.from(e.isDirectory() ? `${e.name}/` : e.name) }))
      .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
    for (const { e } of sorted) {
      const key = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) yield* this.walk(key);
      else yield key;
    }
  }

  private async writeTemp(path: string, body: Body, key: string): Promise<string> {
    const tmp = `${path}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
    try {
      const fh = await createTemp(tmp);
      try {
        if (isStreamBody(body)) {
          const source = watchSource(body);
          try {
            // writeFile, not write: it loops until the whole chunk is on disk (write(2) may write less), and
            // continues at the handle's position.
            for await (const chunk of source.stream) await fh.writeFile(chunk as Uint8Array);
          } catch (err) {
            throw source.failure()?.error ?? err;
          }
        } else {
          await fh.writeFile(bodyBytes(body));
        }
        await fh.sync(); // a machine crash after the rename must not leave an empty or partial file
      } finally {
        await fh.close();
      }
      return tmp;
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (isStreamBody(body) && !isNodeError(err)) throw err; // the producer's own error, not the disk's
      throw this.translate(err, key);
    }
  }

  private translate(err: unknown, key: string): Error {
    if (err instanceof StorageError) return err;
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') {
      return new ObjectNotFoundError(this.uri(key), err);
    }
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return new StorageError(`${code} on ${this.uri(key)}: ${(err as Error).message}`, {
      uri: this.uri(key),
      cause: err,
    });
  }
}

/**
 * Creates the temporary file and its folders. A delete of the folder's last key may remove the folder between the
 * mkdir and the open (pruneEmptyFolders); once the temporary file exists the folder is not empty and stays.
 */
async function createTemp(tmp: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    await mkdir(dirname(tmp), { recursive: true });
    try {
      return await open(tmp, 'w');
    } catch (err) {
      if (!isMissing(err) || attempt >= 3) throw err;
    }
  }
}

/** A plain Uint8Array view (not a Buffer), so both backends return the same type. */
function plain(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function isNodeError(err: unknown): boolean {
  return (
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
