/**
 * insightface's verification files (`lfw.bin`, `cfp_fp.bin`, `agedb_30.bin`, `calfw.bin`, `cplfw.bin`):
 * `pickle.dump((bins, issame_list), f, protocol=pickle.HIGHEST_PROTOCOL)`, where `bins` lists 2n encoded images
 * (JPEG or PNG; Python 3 `bytes`, Python 2 `str`, or a numpy uint8 array from `cv2.imencode`) and `issame_list` n
 * bools, pair k being images 2k and 2k+1 (`recognition/arcface_torch/eval/verification.py`, `load_bin`). Reading is
 * pickle.ts's restricted machine; writing emits protocol 3 (`bytes`, any Python 3 reads it) by hand.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { BenchmarkFormatError } from './errors.ts';
import { PyList, PyTuple, type PyValue, typeName, unpickle } from './pickle.ts';
import { NumpyArray, verificationGlobals } from './pickle-globals.ts';
import { type EncodedPair, pairSet, type VerificationSet } from './set.ts';

/** Reads a verification `.bin`; `source` names it in errors. Image bytes are views into `bytes`. */
export function readBin(bytes: Uint8Array, source = '.bin'): EncodedPair[] {
  const fail = (reason: string, err?: BenchmarkFormatError): never => {
    throw new BenchmarkFormatError(`${source}: ${reason}`, err?.at, { cause: err });
  };
  let top: PyValue;
  try {
    top = unpickle(bytes, verificationGlobals);
  } catch (err) {
    throw err instanceof BenchmarkFormatError ? fail(err.message, err) : err;
  }
  if (!(top instanceof PyTuple) || top.items.length !== 2)
    fail(`expected the tuple (bins, issame_list), found ${describe(top)}`);
  const [bins, issame] = (top as PyTuple).items;
  const images = imageList(bins!, fail);
  const same = labelList(issame!, fail);
  if (images.length !== 2 * same.length)
    fail(`${images.length} images for ${same.length} pairs; a pair is two consecutive images`);
  return same.map((s, k) => ({ a: images[2 * k]!, b: images[2 * k + 1]!, same: s }));
}

function describe(v: PyValue): string {
  if (v instanceof PyTuple) return `a tuple of ${v.items.length} items`;
  if (v instanceof PyList) return `a list of ${v.items.length} items`;
  return typeName(v);
}

function imageList(v: PyValue, fail: (reason: string) => never): Uint8Array[] {
  if (!(v instanceof PyList)) fail(`bins must be a list of encoded images, found ${describe(v)}`);
  return (v as PyList).items.map((item, k) => {
    if (item instanceof Uint8Array) return item;
    if (item instanceof NumpyArray && item.dtype?.code === 'u1' && item.data) {
      // cv2.imencode's buffer is (n, 1); more dimensions mean decoded pixels, which insightface cannot read either.
      if (item.shape.length <= 2 && (item.shape[1] ?? 1) === 1) return item.data;
      return fail(`bins[${k}] is a uint8 array of shape (${item.shape}): decoded pixels, not an encoded image`);
    }
    return fail(`bins[${k}] is ${typeName(item)}, expected bytes of an encoded image`);
  });
}

/** A list of bools (Python or numpy), or a numpy bool array. */
function labelList(v: PyValue, fail: (reason: string) => never): boolean[] {
  if (v instanceof NumpyArray && v.dtype?.code === 'b1' && v.data && v.shape.length === 1)
    return Array.from(v.data, (b) => b !== 0);
  if (!(v instanceof PyList)) fail(`issame_list must be a list of bools, found ${describe(v)}`);
  return (v as PyList).items.map((item, k) =>
    typeof item === 'boolean' ? item : fail(`issame_list[${k}] is ${typeName(item)}, expected bool`),
  );
}

export async function readBinFile(path: string): Promise<EncodedPair[]> {
  return readBin(await readFile(path), path);
}

/** A `.bin` as a set the protocol runs over (the whole file stays in memory, as insightface's loader keeps it). */
export async function readBinSet(path: string): Promise<VerificationSet> {
  return pairSet(await readBinFile(path), path);
}

/** Python's pickler appends in batches of this many items; readers accept any batch, this keeps the files alike. */
const BATCH = 1000;

/**
 * The `.bin` of these pairs: `(bins, issame_list)` as `pickle.dump(..., protocol=3)` writes it (bytes as BINBYTES, no
 * memo), which `pickle.load` in any Python 3 reads back as a list of bytes and a list of bools.
 */
export function encodeBin(pairs: readonly EncodedPair[]): Uint8Array {
  const images = pairs.flatMap((p) => [p.a, p.b]);
  for (const [k, image] of images.entries())
    if (image.length > 0xffffffff) throw new RangeError(`image ${k} is over 4 GiB; protocol 3 cannot hold it`);
  const out = new PickleBuffer(size(images, pairs.length));
  out.bytes(0x80, 3, 0x5d); // PROTO 3, EMPTY_LIST
  appends(out, images, (image) => {
    if (image.length < 256)
      out.bytes(0x43, image.length); // SHORT_BINBYTES
    else out.bytes(0x42).u32(image.length); // BINBYTES
    out.copy(image);
  });
  out.bytes(0x5d);
  appends(out, pairs, (p) => out.bytes(p.same ? 0x88 : 0x89)); // NEWTRUE / NEWFALSE
  out.bytes(0x86, 0x2e); // TUPLE2, STOP
  return out.result();
}

export async function writeBinFile(path: string, pairs: readonly EncodedPair[]): Promise<void> {
  await writeFile(path, encodeBin(pairs));
}

function appends<T>(out: PickleBuffer, items: readonly T[], write: (item: T) => void): void {
  for (let at = 0; at < items.length; at += BATCH) {
    out.bytes(0x28); // MARK
    for (const item of items.slice(at, at + BATCH)) write(item);
    out.bytes(0x65); // APPENDS
  }
}

function size(images: readonly Uint8Array[], pairs: number): number {
  const batches = (n: number) => 2 * Math.ceil(n / BATCH);
  const imageBytes = images.reduce((s, im) => s + im.length + (im.length < 256 ? 2 : 5), 0);
  return 3 + imageBytes + batches(images.length) + 1 + pairs + batches(pairs) + 2;
}

/** A fixed-size output cursor. */
class PickleBuffer {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  constructor(length: number) {
    this.buf = new Uint8Array(length);
    this.view = new DataView(this.buf.buffer);
  }

  bytes(...values: number[]): this {
    this.buf.set(values, this.pos);
    this.pos += values.length;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  copy(data: Uint8Array): void {
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  result(): Uint8Array {
    if (this.pos !== this.buf.length)
      throw new Error(`pickle writer sized ${this.buf.length} bytes, wrote ${this.pos}`);
    return this.buf;
  }
}
