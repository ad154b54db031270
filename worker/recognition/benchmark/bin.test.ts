import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex, python, tinyImages } from '../../../test/fixtures/benchmark/helpers.ts';
import { encodeBin, readBin, readBinFile, writeBinFile } from './bin.ts';
import { BenchmarkFormatError } from './errors.ts';

const SAME = [true, false, false, true, true];
let images: Uint8Array[];
let dir: string;

beforeAll(async () => {
  images = await tinyImages(2 * SAME.length);
  dir = mkdtempSync(join(tmpdir(), 'bin-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A .bin written by Python's pickle in the given mode (see pickles.py). */
function pythonBin(mode: string): string {
  const out = join(dir, `${mode}.bin`);
  python('pickles.py', ['write', mode, out], JSON.stringify({ images: images.map(hex), same: SAME }));
  return out;
}

function expectPairs(pairs: { a: Uint8Array; b: Uint8Array; same: boolean }[]): void {
  expect(pairs.map((p) => p.same)).toEqual(SAME);
  expect(pairs.flatMap((p) => [hex(p.a), hex(p.b)])).toEqual(images.map(hex));
}

describe('readBin on files written by Python', () => {
  it('has images on both sides of the one-byte length limit', () => {
    expect(images.some((im) => im.length < 256) && images.some((im) => im.length >= 256)).toBe(true);
  });

  it.each([
    'bytes-2',
    'bytes-3',
    'bytes-4',
    'bytes-5',
    'py2',
    'numpy-2',
    'numpy-4',
    'numpy-5',
    'numpy-labels-3',
    'numpy-labels-5',
  ])('reads %s', async (mode) => {
    expectPairs(await readBinFile(pythonBin(mode)));
  });

  it('reads the pickle opcodes insightface files use and refuses a payload without running it', () => {
    const file = pythonBin('evil');
    expect(() => readBin(readFileSync(file), file)).toThrow(
      /evil\.bin: pickle: STACK_GLOBAL at byte \d+: refusing global posix\.system: this reader only builds data/,
    );
    expect(existsSync(`${file}.ran`)).toBe(false);
  });

  it.each([
    { mode: 'triple', want: /expected the tuple \(bins, issame_list\), found a tuple of 3 items/ },
    { mode: 'bins-tuple', want: /bins must be a list of encoded images, found a tuple of 10 items/ },
    { mode: 'pixel-array', want: /bins\[0\] is a uint8 array of shape \(4,4,3\): decoded pixels, not an encoded/ },
    { mode: 'float-array', want: /REDUCE at byte \d+: numpy dtype f8 refused: only uint8 and bool are read/ },
    { mode: 'str-image', want: /bins\[0\] is str, expected bytes of an encoded image/ },
    { mode: 'int-label', want: /issame_list\[0\] is int, expected bool/ },
    { mode: 'odd-count', want: /9 images for 5 pairs/ },
  ])('refuses $mode', ({ mode, want }) => {
    const file = pythonBin(mode);
    expect(() => readBin(readFileSync(file), file)).toThrow(want);
  });
});

describe('readBin on malformed bytes', () => {
  it.each([
    { name: 'not a pickle', given: [0x00, 0x01], want: /unknown opcode 0x00 at byte 0: not a pickle opcode/ },
    { name: 'truncated', given: [0x80, 0x03, 0x43, 10, 1, 2], want: /SHORT_BINBYTES at byte 2: needs 10 more bytes/ },
    { name: 'no STOP', given: [0x80, 0x03, 0x4e], want: /ends at byte 3 before STOP/ },
    { name: 'future protocol', given: [0x80, 0x06], want: /unsupported pickle protocol 6/ },
    { name: 'protocol 0 text', given: [0x49, 0x30, 0x31, 0x0a], want: /INT at byte 0: a protocol 0 text opcode/ },
    { name: 'unknown memo', given: [0x80, 0x03, 0x68, 0x07], want: /BINGET at byte 2: memo key 7 was never stored/ },
    { name: 'underflow', given: [0x80, 0x03, 0x86], want: /TUPLE2 at byte 2: stack underflow/ },
    {
      name: 'endless GLOBAL line',
      given: [0x80, 0x02, 0x63, ...Array(300).fill(0x61)],
      want: /GLOBAL at byte 2: line argument has no newline within 256/,
    },
    { name: 'out-of-band buffer', given: [0x80, 0x05, 0x97], want: /NEXT_BUFFER at byte 2: not part of the subset/ },
  ])('$name', ({ given, want }) => {
    const error = (() => {
      try {
        readBin(Uint8Array.from(given));
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(BenchmarkFormatError);
    expect((error as Error).message).toMatch(want);
  });
});

describe('encodeBin', () => {
  const pairs = () => SAME.map((same, k) => ({ a: images[2 * k]!, b: images[2 * k + 1]!, same }));

  it("writes what Python's pickle.load reads back as (list of bytes, list of bools)", async () => {
    const file = join(dir, 'ours.bin');
    await writeBinFile(file, pairs());
    const loaded = JSON.parse(python('pickles.py', ['load', file]));
    expect(loaded).toEqual({
      type: 'tuple',
      binTypes: ['bytes'],
      labelTypes: ['bool'],
      images: images.map(hex),
      same: SAME,
    });
  });

  it('reads images as views into the file bytes, not copies', () => {
    const bytes = encodeBin(pairs());
    const read = readBin(bytes);
    expect(read.every((p) => p.a.buffer === bytes.buffer && p.b.buffer === bytes.buffer)).toBe(true);
  });

  it('round-trips through readBin, over more items than one APPENDS batch', () => {
    const many = Array.from({ length: 1203 }, (_, k) => ({
      a: images[k % 10]!,
      b: images[(k + 3) % 10]!,
      same: k % 3 === 0,
    }));
    expect(readBin(encodeBin(many))).toEqual(many);
    expect(readBin(encodeBin([]))).toEqual([]);
  });
});
