import sharp, { type Metadata } from 'sharp';
import { PermanentInputError } from '../../api/index.ts';

/**
 * Training images as the diffusion model sees them: decoded, checked to be aligned square crops, and resized to the
 * model's resolution with a high-quality filter. One function, so the prepare and train stages agree to the pixel.
 */
export async function decodeSquare(bytes: Uint8Array, size: number, where: string): Promise<Uint8Array> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new PermanentInputError(`${where} is not a decodable image`, { cause: err });
  }
  const { width = 0, height = 0 } = meta;
  if (width !== height) {
    throw new PermanentInputError(`${where} is ${width}×${height}; training images must be aligned square face crops`);
  }
  const { data } = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size, size, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
