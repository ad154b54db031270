import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './errors.ts';
import { decodeImage, encodeImage, imageSize, type RawImage } from './image.ts';

/** A smooth 32×24 gradient: realistic for JPEG, exact for PNG. */
function gradient(channels: 3 | 4 = 3): RawImage {
  const width = 32;
  const height = 24;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * channels;
      data.set([x * 8, y * 10, 128, 255].slice(0, channels), p);
    }
  }
  return { data, width, height, channels };
}

describe('image codec', () => {
  it('PNG round-trips pixels exactly, and the same pixels give the same bytes', async () => {
    const img = gradient();
    const a = await encodeImage(img, { format: 'png' });
    const b = await encodeImage(img, { format: 'png' });
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
    expect([...a.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const back = await decodeImage(a);
    expect({ ...back, data: Buffer.from(back.data) }).toEqual({ ...img, data: Buffer.from(img.data) });
  });

  it('JPEG honours quality: lower quality, fewer bytes, pixels still close', async () => {
    const img = gradient();
    const q95 = await encodeImage(img, { format: 'jpeg', quality: 95 });
    const q30 = await encodeImage(img, { format: 'jpeg', quality: 30 });
    expect([...q95.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(q30.byteLength).toBeLessThan(q95.byteLength);
    const back = await decodeImage(q95);
    const meanError = back.data.reduce((s, v, i) => s + Math.abs(v - img.data[i]!), 0) / back.data.length;
    expect(meanError).toBeLessThan(3);
  });

  it('decodes RGBA to RGB and reads the size from the header', async () => {
    const png = await encodeImage(gradient(4), { format: 'png' });
    expect((await decodeImage(png)).channels).toBe(3);
    expect(await imageSize(png)).toEqual({ width: 32, height: 24 });
  });

  it('names undecodable bytes as a format error', async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3]), 'x.png')).rejects.toBeInstanceOf(DatasetFormatError);
  });

  it('refuses a pixel buffer of the wrong size', async () => {
    await expect(encodeImage({ ...gradient(), width: 33 }, { format: 'png' })).rejects.toThrow(/does not match/);
  });
});
