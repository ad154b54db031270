import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { readAll, watchSource } from '../../io/storage/index.ts';
import { DatasetFormatError } from './errors.ts';

export interface TarMember {
  name: string;
  data: Uint8Array;
}

/** Two zero blocks end a tar archive. */
export const TAR_END: Uint8Array = new Uint8Array(1024);

const BLOCK = 512;

/**
 * Fixed header fields make a tar's bytes a function of its members alone — no build time, user or umask — so a
 * dataset is byte-identical however and wherever it was generated.
 */
const FIXED = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0), type: 'file' } as const;

/** Bytes a member takes in a tar: its 512-byte ustar header plus its data padded to whole blocks. */
export function memberSpan(size: number): number {
  return BLOCK + Math.ceil(size / BLOCK) * BLOCK;
}

/**
 * The tar records of `members`, in order, without the end-of-archive blocks. Fragments concatenate into one archive:
 * `concat(fragmentA, fragmentB, TAR_END)` is exactly the tar of A's then B's members.
 */
export async function tarFragment(members: readonly TarMember[]): Promise<Uint8Array> {
  const pack = tar.pack();
  // @types/tar-stream types the iterator with a newer lib than ours; at run time a Pack is a Node Readable.
  const done = readAll(pack as unknown as AsyncIterable<Uint8Array>);
  for (const m of members) {
    if (Buffer.byteLength(m.name) > 100) throw new Error(`tar member name longer than 100 bytes: ${m.name}`);
    pack.entry({ ...FIXED, name: m.name, size: m.data.byteLength }, Buffer.from(m.data));
  }
  pack.finalize();
  const bytes = await done;
  return bytes.subarray(0, bytes.byteLength - TAR_END.byteLength);
}

/** A whole archive from fragments. */
export function tarArchive(fragments: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat([...fragments, TAR_END]);
}

/** Members of a tar stream, in archive order, each with the byte offset of its data in the archive. */
export async function* readTar(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  where = 'tar',
): AsyncIterable<TarMember & { offset: number }> {
  const ex = tar.extract();
  // An error of the source itself (a connection reset mid-download) is the transport's, not a bad archive: it must
  // stay retryable, so it is told apart from the parser's errors and passed on as it is.
  const watched = watchSource(source);
  const feeding = pipeline(Readable.from(watched.stream), ex).catch((err: unknown) => {
    ex.destroy(err as Error);
  });
  let offset = 0;
  try {
    for await (const entry of ex) {
      const data = await readAll(entry as unknown as AsyncIterable<Uint8Array>);
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') {
        yield { name: entry.header.name, data, offset: offset + BLOCK };
      }
      offset += memberSpan(data.byteLength);
    }
  } catch (err) {
    const failure = watched.failure();
    if (failure) throw failure.error;
    throw new DatasetFormatError(where, `not a readable tar archive: ${(err as Error).message}`, err);
  } finally {
    await feeding;
  }
}
