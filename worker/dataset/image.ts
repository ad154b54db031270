import sharp from 'sharp';
import type { ImageExt } from '../../io/output/index.ts';
import { DatasetFormatError } from './errors.ts';

/** Interleaved 8-bit pixels, row-major, `channels` per pixel. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

export type ImageEncoding = { format: 'png' } | { format: 'jpeg'; quality: number };

/** The file extension of an encoding (`jpeg` is stored as `.jpg`, as WebDataset readers expect). */
export function extOf(format: 'png' | 'jpeg'): ImageExt {
  return format === 'png' ? 'png' : 'jpg';
}

/**
 * Encodes with libvips (sharp). No metadata is written and the settings are fixed, so the same pixels always give the
 * same bytes with the same library version.
 */
export async function encodeImage(img: RawImage, enc: ImageEncoding): Promise<Uint8Array> {
  if (img.data.byteLength !== img.width * img.height * img.channels) {
    throw new Error(
      `pixel buffer of ${img.data.byteLength} bytes does not match ${img.width}×${img.height}×${img.channels}`,
    );
  }
  const pipeline = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: img.channels },
  });
  const out =
    enc.format === 'png'
      ? pipeline.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false })
      : pipeline.jpeg({ quality: enc.quality, chromaSubsampling: '4:2:0', mozjpeg: false });
  return new Uint8Array(await out.toBuffer());
}

/** Decodes PNG or JPEG to RGB (alpha dropped, grey expanded), so every consumer sees three channels. */
export async function decodeImage(bytes: Uint8Array, where = 'image'): Promise<RawImage> {
  try {
    const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({
      resolveWithObject: true,
    });
    return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    throw new DatasetFormatError(where, `not a decodable image: ${(err as Error).message}`, err);
  }
}

/** Width and height from the file header, without decoding the pixels. */
export async function imageSize(bytes: Uint8Array, where = 'image'): Promise<{ width: number; height: number }> {
  const meta = await sharp(bytes)
    .metadata()
    .catch((err: Error) => Promise.reject(new DatasetFormatError(where, `not an image: ${err.message}`, err)));
  if (!meta.width || !meta.height) throw new DatasetFormatError(where, 'image without dimensions');
  return { width: meta.width, height: meta.height };
}
