import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeBatch, decodeImage, mirror } from './images.ts';

/** A size×size RGB image whose pixel (x, y) is (x, y, 7) times 10, so positions can be read back. */
function gradient(size: number): Buffer {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set([10 * x, 10 * y, 70], (y * size + x) * 3);
  return data;
}

const raw = (data: Buffer, width: number, height = width, channels: 1 | 3 | 4 = 3) =>
  sharp(data, { raw: { width, height, channels } });

describe('decodeImage', () => {
  it('keeps a PNG of the wanted size exactly', async () => {
    const png = await raw(gradient(5), 5).png().toBuffer();
    expect(Buffer.from(await decodeImage(png, 5))).toEqual(gradient(5));
  });

  it('makes three equal channels of a grey JPEG and drops a PNG alpha channel', async () => {
    const grey = await raw(Buffer.alloc(16, 90), 4, 4, 1).jpeg().toBuffer();
    expect(new Set(await decodeImage(grey, 4))).toEqual(new Set([90]));
    const rgba = await raw(Buffer.from(Array.from({ length: 16 }, () => [200, 100, 50, 7]).flat()), 2, 2, 4)
      .png()
      .toBuffer();
    expect(Array.from(await decodeImage(rgba, 2))).toEqual(Array(4).fill([200, 100, 50]).flat());
  });

  it('resizes a square image of another size', async () => {
    const png = await raw(Buffer.alloc(16 * 16 * 3, 120), 16)
      .png()
      .toBuffer();
    expect(Array.from(new Set(await decodeImage(png, 8)))).toEqual([120]);
  });

  it.each([
    {
      name: 'non-square',
      make: () =>
        raw(Buffer.alloc(6 * 4 * 3), 6, 4)
          .png()
          .toBuffer(),
      want: /x is 6×4; verification images are square/,
    },
    { name: 'not an image', make: async () => Buffer.from('GIF89a?'), want: /x: not a decodable JPEG or PNG/ },
    {
      name: 'truncated JPEG',
      make: async () => {
        const noise = Buffer.from(Array.from({ length: 32 * 32 * 3 }, (_, k) => (k * 7919) % 256));
        const jpeg = await raw(noise, 32).jpeg().toBuffer();
        return jpeg.subarray(0, jpeg.length - 100); // headers intact, scan data cut
      },
      want: /x: decoding failed/,
    },
  ])('refuses $name', async ({ make, want }) => {
    await expect(decodeImage(await make(), 8, 'x')).rejects.toThrow(want);
  });
});

describe('decodeBatch and mirror', () => {
  it('scales to [0, 1] in NHWC order and mirrors each row', async () => {
    const pngs = await Promise.all([gradient(3), Buffer.alloc(27, 255)].map((d) => raw(d, 3).png().toBuffer()));
    const batch = await decodeBatch(pngs, 3);
    expect(batch.count).toBe(2);
    expect(Array.from(batch.pixels.subarray(0, 6))).toEqual([0, 0, 70, 10, 0, 70].map((v) => Math.fround(v / 255)));
    const flipped = mirror(batch);
    // First row of the gradient mirrored: x = 2, 1, 0; the white image is unchanged.
    expect(Array.from(flipped.pixels.subarray(0, 9))).toEqual(
      [20, 0, 70, 10, 0, 70, 0, 0, 70].map((v) => Math.fround(v / 255)),
    );
    expect(Array.from(flipped.pixels.subarray(27))).toEqual(Array(27).fill(1));
    expect(mirror(flipped).pixels).toEqual(batch.pixels);
  });
});
