import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../io/storage/index.ts';
import { DatasetFormatError } from './errors.ts';
import { decodeNpy, encodeNpy, npyHeader, parseNpyHeader, readNpy, readNpyRows, writeNpy } from './npy.ts';

describe('.npy', () => {
  it.each([
    { name: '2-d', given: [3, 4], want: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }" },
    {
      name: '1-d keeps the tuple comma',
      given: [5],
      want: "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
    },
    { name: 'scalar', given: [], want: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }" },
  ])('header: $name, padded to 64 bytes and ended by a newline', ({ given, want }) => {
    const h = Buffer.from(npyHeader(given));
    expect(h.length % 64).toBe(0);
    expect([...h.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    expect(h.readUInt16LE(8)).toBe(h.length - 10);
    expect(h.subarray(10).toString('latin1').trimEnd()).toBe(want);
    expect(h.at(-1)).toBe(0x0a);
  });

  it('round-trips values and shape', () => {
    const data = Float32Array.from([0.5, -1.25, 3e-8, 1e30, Number.NaN, 0]);
    const back = decodeNpy(encodeNpy({ shape: [2, 3], data }));
    expect(back.shape).toEqual([2, 3]);
    expect([...back.data]).toEqual([...data]);
  });

  it.each([
    { name: 'not npy', given: Buffer.from('hello world, not numpy') },
    { name: 'float64', given: header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }") },
    { name: 'Fortran order', given: header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }") },
    { name: 'truncated data', given: Buffer.concat([npyHeader([4]), Buffer.alloc(8)]) },
  ])('refuses $name', ({ given }) => {
    expect(() => decodeNpy(given)).toThrow(DatasetFormatError);
  });

  it('streams a table through a store and reads row ranges back', async () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'id3-npy-')));
    const rows = Array.from({ length: 5 }, (_, r) => Float32Array.from({ length: 3 }, (_, c) => r * 10 + c));
    await writeNpy(store, 'plan/embeddings.npy', [5, 3], rows);
    expect((await readNpy(store, 'plan/embeddings.npy')).data).toEqual(Float32Array.from(rows.flatMap((r) => [...r])));
    const mid = await readNpyRows(store, 'plan/embeddings.npy', 2, 2);
    expect({ shape: mid.shape, data: [...mid.data] }).toEqual({ shape: [2, 3], data: [20, 21, 22, 30, 31, 32] });
    await expect(readNpyRows(store, 'plan/embeddings.npy', 4, 2)).rejects.toThrow(DatasetFormatError);
    await expect(writeNpy(store, 'bad.npy', [2, 3], [new Float32Array(5)])).rejects.toThrow(/5 values written/);
    expect(await store.exists('bad.npy')).toBe(false);
  });

  it('reads version 2.0 headers (4-byte length)', () => {
    const dict = Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n");
    const head = Buffer.alloc(12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(head);
    head.writeUInt32LE(dict.length, 8);
    expect(parseNpyHeader(Buffer.concat([head, dict]), 'v2').shape).toEqual([1]);
  });
});

function header(dict: string): Buffer {
  const text = Buffer.from(`${dict}\n`);
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, text, Buffer.alloc(4)]);
}
