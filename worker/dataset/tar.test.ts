import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './errors.ts';
import { memberSpan, readTar, type TarMember, tarArchive, tarFragment } from './tar.ts';

const member = (name: string, size: number, fill: number): TarMember => ({
  name,
  data: new Uint8Array(size).fill(fill),
});

describe('tar', () => {
  const a = [member('a.png', 700, 1), member('a.json', 12, 2)];
  const b = [member('b.png', 512, 3), member('b.json', 0, 4)];

  it('concatenated fragments are exactly the archive of all members', async () => {
    const whole = tarArchive([await tarFragment([...a, ...b])]);
    const pieces = tarArchive([await tarFragment(a), await tarFragment(b)]);
    expect(Buffer.from(pieces)).toEqual(Buffer.from(whole));
    expect(whole.byteLength).toBe([700, 12, 512, 0].reduce((s, n) => s + memberSpan(n), 1024));
  });

  it('writes fixed headers, so the bytes depend on the members alone', async () => {
    const one = await tarFragment(a);
    const header = Buffer.from(one.subarray(0, 512));
    expect(header.subarray(0, 5).toString()).toBe('a.png');
    expect(header.subarray(100, 107).toString()).toBe('000644 '); // mode
    expect(header.subarray(136, 147).toString()).toBe('00000000000'); // mtime 0
    expect(header.subarray(257, 262).toString()).toBe('ustar');
    expect(Buffer.from(await tarFragment(a))).toEqual(Buffer.from(one));
  });

  it('reads members back with the offsets of their data', async () => {
    const archive = tarArchive([await tarFragment([...a, ...b])]);
    const read: { name: string; offset: number; size: number }[] = [];
    for await (const m of readTar([archive])) {
      read.push({ name: m.name, offset: m.offset, size: m.data.byteLength });
      expect(Buffer.from(archive.subarray(m.offset, m.offset + m.data.byteLength))).toEqual(Buffer.from(m.data));
    }
    expect(read.map((r) => r.name)).toEqual(['a.png', 'a.json', 'b.png', 'b.json']);
    expect(read.map((r) => r.offset)).toEqual([
      512,
      512 + 1024 + 512,
      512 + 1024 + 1024 + 512,
      512 + 1024 + 1024 + 1024 + 512,
    ]);
  });

  it('names a corrupt archive as a format error', async () => {
    const archive = tarArchive([await tarFragment(a)]);
    const broken = Buffer.from(archive);
    broken.fill(0x41, 148, 156); // the header checksum
    const drain = async () => {
      for await (const _ of readTar([broken], 'broken.tar')) {
        // reading is the test
      }
    };
    await expect(drain()).rejects.toBeInstanceOf(DatasetFormatError);
  });

  it('passes a failure of the source on as it is: a dropped connection is not a corrupt archive', async () => {
    const archive = tarArchive([await tarFragment(a), await tarFragment(b)]);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    async function* dropsHalfway(): AsyncIterable<Uint8Array> {
      yield archive.subarray(0, 512 + 1024); // a.png: its header and its 700 bytes, padded
      throw reset;
    }
    const names: string[] = [];
    const drain = async () => {
      for await (const m of readTar(dropsHalfway(), 'remote.tar')) names.push(m.name);
    };
    await expect(drain()).rejects.toBe(reset);
    expect(names).toEqual(['a.png']); // what arrived intact was read
  });
});
