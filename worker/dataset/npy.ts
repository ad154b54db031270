import { endianness } from 'node:os';
import { readAll, type Store } from '../../io/storage/index.ts';
import { DatasetFormatError } from './errors.ts';

/**
 * NumPy `.npy` files of float32 (`<f4`, C order): the plan's anchors and embeddings, readable by `numpy.load` and any
 * tool. Format: magic `\x93NUMPY`, version, header length, a Python dict literal padded with spaces to a multiple of
 * 64 bytes and ended by `\n`, then the raw little-endian data.
 */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const LITTLE = endianness() === 'LE';

export function npyHeader(shape: readonly number[]): Uint8Array {
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`bad .npy shape ${JSON.stringify(shape)}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const text = `${dict}${' '.repeat(padding)}\n`;
  if (text.length > 0xffff) throw new Error('.npy header too long for format version 1.0');
  const head = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(head);
  head.writeUInt8(1, 6);
  head.writeUInt8(0, 7);
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1')]);
}

/** Little-endian bytes of float32 values. */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (LITTLE) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.alloc(values.byteLength);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

export function encodeNpy(arr: NpyArray): Uint8Array {
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (count !== arr.data.length)
    throw new Error(`shape ${arr.shape} holds ${count} values, data has ${arr.data.length}`);
  return Buffer.concat([npyHeader(arr.shape), float32Bytes(arr.data)]);
}

export interface NpyHeader {
  shape: number[];
  /** Where the data starts. */
  dataOffset: number;
}

/** Parses the header from the first bytes of a file (the first 64 KiB always suffice for version 1.0). */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new DatasetFormatError(where, 'not a .npy file');
  const major = buf.readUInt8(6);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (buf.length < start + headerLen) throw new DatasetFormatError(where, 'truncated .npy header');
  const dict = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']*)'/.exec(dict)?.[1];
  if (descr !== '<f4') throw new DatasetFormatError(where, `dtype ${descr ?? '?'} is not little-endian float32 (<f4)`);
  if (!/'fortran_order':\s*False/.test(dict)) throw new DatasetFormatError(where, 'Fortran-order arrays are not read');
  const dims = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (dims === undefined) throw new DatasetFormatError(where, 'no shape in the .npy header');
  const shape = dims
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new DatasetFormatError(where, `bad shape (${dims})`);
  return { shape, dataOffset: start + headerLen };
}

export function decodeNpy(bytes: Uint8Array, where = '.npy'): NpyArray {
  const { shape, dataOffset } = parseNpyHeader(bytes, where);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength - dataOffset !== count * 4) {
    throw new DatasetFormatError(where, `expected ${count * 4} data bytes, found ${bytes.byteLength - dataOffset}`);
  }
  return { shape, data: floats(bytes.subarray(dataOffset)) };
}

function floats(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes); // aligned, and detached from the caller's buffer
  if (LITTLE) return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  const view = new DataView(copy.buffer);
  return Float32Array.from({ length: copy.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/**
 * Writes an array of the given shape from rows streamed in order (any split of the flat data), so that an N×m×512
 * embedding table never has to sit in memory whole.
 */
export async function writeNpy(
  store: Store,
  key: string,
  shape: readonly number[],
  chunks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
): Promise<void> {
  const expected = shape.reduce((a, b) => a * b, 1);
  async function* body(): AsyncIterable<Uint8Array> {
    yield npyHeader(shape);
    let written = 0;
    for await (const c of chunks) {
      written += c.length;
      if (written > expected) throw new Error(`${key}: more values than shape ${shape} holds`);
      yield float32Bytes(c);
    }
    if (written !== expected) throw new Error(`${key}: ${written} values written, shape ${shape} needs ${expected}`);
  }
  await store.put(key, body(), { contentType: 'application/octet-stream' });
}

export async function readNpy(store: Store, key: string): Promise<NpyArray> {
  return decodeNpy(await readAll(await store.getStream(key)), store.uri(key));
}

/** Rows [first, first + count) along the first axis, with two ranged reads instead of the whole file. */
export async function readNpyRows(store: Store, key: string, first: number, count: number): Promise<NpyArray> {
  const where = store.uri(key);
  const { shape, dataOffset } = parseNpyHeader(await store.getRange(key, 0, 65_536), where);
  if (shape.length === 0 || first < 0 || first + count > shape[0]!) {
    throw new DatasetFormatError(where, `rows [${first}, ${first + count}) outside the first axis (${shape[0]})`);
  }
  const rowValues = shape.slice(1).reduce((a, b) => a * b, 1);
  const bytes = await store.getRange(key, dataOffset + first * rowValues * 4, count * rowValues * 4);
  if (bytes.byteLength !== count * rowValues * 4) throw new DatasetFormatError(where, 'truncated .npy data');
  return { shape: [count, ...shape.slice(1)], data: floats(bytes) };
}
