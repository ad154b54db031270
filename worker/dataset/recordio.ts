/**
 * MXNet IndexedRecordIO, the insightface training format (`train.rec`, `train.idx`, `property`), byte for byte as
 * MXNet writes it.
 *
 * A record is `magic u32 | lrecord u32 | payload | zero padding to 4 bytes`, little-endian, magic 0xced7230a, and
 * lrecord = cflag << 29 | length. Like dmlc-core's RecordIOWriter, a payload holding the magic number at a 4-aligned
 * offset is split there into parts (cflag 1 first, 2 middle, 3 last; 0 for a whole record), the magic itself dropped
 * — readers put it back — so that a reader can always resynchronise on the magic. The payload of an image record is
 * mx.recordio.pack's: an IRHeader {flag u32, label f32, id u64, id2 u64} (24 bytes), then, when flag > 0, `flag`
 * float32 labels (and label = 0), then the image file. `train.idx` lines are `id\toffset\n` with the record's byte
 * offset in `train.rec`.
 */

export const RECORDIO_MAGIC = 0xced7230a;
const IR_HEADER_BYTES = 24;
const MAX_LENGTH = (1 << 29) - 1;

export interface IRHeader {
  /** A single class label (flag 0) or a label vector (flag = its length). */
  label: number | readonly number[];
  id: number;
  id2: number;
}

/** mx.recordio.pack: the IRHeader, the label vector when there is one, then the body. */
export function packRecord(header: IRHeader, body: Uint8Array): Uint8Array {
  const vector = typeof header.label === 'number' ? undefined : header.label;
  const head = Buffer.alloc(IR_HEADER_BYTES + (vector?.length ?? 0) * 4);
  head.writeUInt32LE(vector?.length ?? 0, 0);
  head.writeFloatLE(vector ? 0 : (header.label as number), 4);
  head.writeBigUInt64LE(BigInt(header.id), 8);
  head.writeBigUInt64LE(BigInt(header.id2), 16);
  for (const [i, v] of (vector ?? []).entries()) head.writeFloatLE(v, IR_HEADER_BYTES + i * 4);
  return Buffer.concat([head, body]);
}

/** The bytes one record takes in a `.rec` file (dmlc-core's WriteRecord). */
export function frameRecord(payload: Uint8Array): Uint8Array {
  if (payload.byteLength > MAX_LENGTH) throw new Error(`RecordIO records must be under 2^29 bytes`);
  const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const parts: Buffer[] = [];
  const lowerAlign = buf.length - (buf.length % 4);
  let start = 0;
  for (let i = 0; i < lowerAlign; i += 4) {
    if (buf.readUInt32LE(i) !== RECORDIO_MAGIC) continue;
    parts.push(lrecord(start === 0 ? 1 : 2, i - start), buf.subarray(start, i));
    start = i + 4;
  }
  parts.push(lrecord(start === 0 ? 0 : 3, buf.length - start), buf.subarray(start));
  const pad = (4 - (buf.length % 4)) % 4;
  if (pad > 0) parts.push(Buffer.alloc(pad));
  return Buffer.concat(parts);
}

function lrecord(cflag: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(RECORDIO_MAGIC, 0);
  b.writeUInt32LE(((cflag << 29) | length) >>> 0, 4);
  return b;
}

/** Accumulates records and their `train.idx` lines; the caller streams the returned bytes to `train.rec`. */
export class RecordIOWriter {
  private position = 0;
  private readonly idx: string[] = [];

  /** Frames a record with index key `id`, remembering its offset. */
  write(id: number, payload: Uint8Array): Uint8Array {
    const framed = frameRecord(payload);
    this.idx.push(`${id}\t${this.position}\n`);
    this.position += framed.byteLength;
    return framed;
  }

  get bytesWritten(): number {
    return this.position;
  }

  idxBytes(): Uint8Array {
    return Buffer.from(this.idx.join(''), 'utf8');
  }
}

/** `property`: "num_classes,height,width", as insightface's training scripts read it. */
export function propertyText(classes: number, height: number, width: number): string {
  return `${classes},${height},${width}\n`;
}
