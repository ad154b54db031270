import { describe, expect, it } from 'vitest';
import { frameRecord, packRecord, propertyText, RecordIOWriter } from './recordio.ts';

// Expected bytes written out by hand from the format: magic 0a 23 d7 ce (0xced7230a little-endian), then
// lrecord = cflag << 29 | length, little-endian, then the data and zero padding to 4 bytes.
const MAGIC = [0x0a, 0x23, 0xd7, 0xce];

describe('frameRecord', () => {
  it.each([
    { name: 'whole record, padded', given: [1, 2, 3, 4, 5], want: [...MAGIC, 5, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0] },
    { name: 'aligned, no padding', given: [9, 9, 9, 9], want: [...MAGIC, 4, 0, 0, 0, 9, 9, 9, 9] },
    { name: 'empty', given: [], want: [...MAGIC, 0, 0, 0, 0] },
    {
      name: 'magic at an aligned offset splits the record (cflag 1, then 3)',
      given: [0xaa, 0xbb, 0xcc, 0xdd, ...MAGIC, 0x11, 0x22],
      want: [...MAGIC, 4, 0, 0, 0x20, 0xaa, 0xbb, 0xcc, 0xdd, ...MAGIC, 2, 0, 0, 0x60, 0x11, 0x22, 0, 0],
    },
    {
      name: 'two magics: first, middle (cflag 2, empty) and last parts',
      given: [...MAGIC, ...MAGIC, 7],
      want: [...MAGIC, 0, 0, 0, 0x20, ...MAGIC, 0, 0, 0, 0x40, ...MAGIC, 1, 0, 0, 0x60, 7, 0, 0, 0],
    },
    {
      name: 'magic at an unaligned offset is data',
      given: [1, ...MAGIC, 2, 3, 4],
      want: [...MAGIC, 8, 0, 0, 0, 1, ...MAGIC, 2, 3, 4],
    },
  ])('$name', ({ given, want }) => {
    expect([...frameRecord(new Uint8Array(given))]).toEqual(want);
  });
});

describe('packRecord', () => {
  it('writes IRHeader {flag 0, label, id, id2} before the body', () => {
    const bytes = packRecord({ label: 3, id: 258, id2: 1 }, new Uint8Array([0xff]));
    // flag 0 | label 3.0f = 0x40400000 | id 258 | id2 1 | body
    expect([...bytes]).toEqual([
      ...[0, 0, 0, 0],
      ...[0, 0, 0x40, 0x40],
      ...[2, 1, 0, 0, 0, 0, 0, 0],
      ...[1, 0, 0, 0, 0, 0, 0, 0],
      0xff,
    ]);
  });

  it('writes a label vector as flag = its length, label 0, then the floats', () => {
    const bytes = packRecord({ label: [1, 2], id: 0, id2: 0 }, new Uint8Array());
    expect([...bytes.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 0]);
    expect([...bytes.subarray(24)]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]); // 1.0f, 2.0f
  });
});

describe('RecordIOWriter', () => {
  it('indexes each record at its byte offset', () => {
    const w = new RecordIOWriter();
    const a = w.write(0, new Uint8Array(5));
    const b = w.write(7, new Uint8Array(4));
    expect([a.byteLength, b.byteLength, w.bytesWritten]).toEqual([16, 12, 28]);
    expect(Buffer.from(w.idxBytes()).toString()).toBe('0\t0\n7\t16\n');
  });

  it('writes property as classes,height,width', () => {
    expect(propertyText(10000, 112, 96)).toBe('10000,112,96\n');
  });
});
