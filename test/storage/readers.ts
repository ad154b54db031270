/**
 * Readers that do not share code with ours, to confirm the formats: numpy (Debian's python3-numpy) for .npy, GNU tar
 * for the shards, and a RecordIO reader written here from the format's description (dmlc-core recordio framing and
 * MXNet's IRHeader), not from worker/dataset/recordio.ts.
 */
import { execFileSync } from 'node:child_process';

/** numpy.load of a file: shape, dtype and the values in C order. */
export function numpyLoad(file: string): { shape: number[]; dtype: string; values: number[] } {
  const script =
    'import json, sys, numpy\n' +
    'a = numpy.load(sys.argv[1])\n' +
    "print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'values': a.ravel().tolist()}))";
  // Debian's interpreter, where apt put numpy; the PATH may lead to another Python without it.
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

/** `tar -tv` lines of an archive. */
export function tarListing(file: string): string[] {
  return execFileSync('tar', ['--numeric-owner', '--utc', '-tvf', file], { encoding: 'utf8' }).trimEnd().split('\n');
}

/** One member's bytes as GNU tar extracts them. */
export function tarExtract(file: string, member: string): Buffer {
  return execFileSync('tar', ['-xOf', file, member]);
}

export interface RecordIORecord {
  flag: number;
  label: number;
  labels: number[];
  id: bigint;
  id2: bigint;
  body: Buffer;
}

const MAGIC = 0xced7230a;

/**
 * Reads the record at `offset` of a .rec file. Framing: u32 magic, u32 lrecord (top 3 bits cflag, low 29 length),
 * the data, zero padding to a 4-byte boundary. cflag 0 is a whole record; 1, 2, 3 are the first, middle and last
 * parts of a record that was split where its data contained the magic, which sits between the parts.
 */
export function readRecordAt(rec: Buffer, offset: number): RecordIORecord {
  const parts: Buffer[] = [];
  let pos = offset;
  for (;;) {
    if (rec.readUInt32LE(pos) !== MAGIC) throw new Error(`no RecordIO magic at ${pos}`);
    const lrec = rec.readUInt32LE(pos + 4);
    const cflag = lrec >>> 29;
    const length = lrec & 0x1fffffff;
    const data = rec.subarray(pos + 8, pos + 8 + length);
    pos += 8 + Math.ceil(length / 4) * 4;
    if (cflag === 0) {
      parts.push(data);
      break;
    }
    if (cflag !== 1) parts.push(Buffer.from([0x0a, 0x23, 0xd7, 0xce]));
    parts.push(data);
    if (cflag === 3) break;
  }
  return unpackIR(Buffer.concat(parts));
}

/** mx.recordio.unpack: IRHeader (I flag, f label, Q id, Q id2), then `flag` float32 labels when flag > 0. */
function unpackIR(payload: Buffer): RecordIORecord {
  const flag = payload.readUInt32LE(0);
  const labels = Array.from({ length: flag }, (_, i) => payload.readFloatLE(24 + i * 4));
  return {
    flag,
    label: payload.readFloatLE(4),
    labels,
    id: payload.readBigUInt64LE(8),
    id2: payload.readBigUInt64LE(16),
    body: payload.subarray(24 + flag * 4),
  };
}

/** `train.idx`: key → offset. */
export function parseIdx(text: string): Map<number, number> {
  const map = new Map<number, number>();
  for (const line of text.trim().split('\n')) {
    const [key, offset] = line.split('\t');
    map.set(Number(key), Number(offset));
  }
  return map;
}
