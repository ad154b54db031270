/**
 * Encoded benchmark images (JPEG/PNG bytes) to RGB pixels, with sharp. insightface decodes with
 * `mx.image.imdecode` (OpenCV, colour, RGB order: grey images become three equal channels, alpha is dropped) and
 * resizes only when the width differs from the wanted size, with `mx.image.resize_short` (shorter side to size,
 * bicubic); its loader then fails on any image that does not come out square, so this refuses non-square images
 * up front and resizes square ones with sharp's cubic kernel (Catmull–Rom; OpenCV's bicubic uses a = −0.75 and no
 * antialiasing, so resized pixels differ slightly; the files insightface ships are 112×112 and are not resized).
 */
import sharp, { type Sharp } from 'sharp';
import { BenchmarkFormatError } from './errors.ts';

/** `count` images of size×size RGB, row-major (NHWC), values in [0, 1]. */
export interface ImageBatch {
  pixels: Float32Array;
  count: number;
  size: number;
}

async function open(bytes: Uint8Array, where: string): Promise<{ image: Sharp; width?: number; height?: number }> {
  try {
    const image = sharp(bytes);
    const { width, height } = await image.metadata();
    return { image, width, height };
  } catch (err) {
    const reason = (err as Error).message;
    throw new BenchmarkFormatError(`${where}: not a decodable JPEG or PNG (${reason})`, undefined, { cause: err });
  }
}

/** One image as size×size×3 bytes; `where` names it in errors. */
export async function decodeImage(bytes: Uint8Array, size: number, where = 'image'): Promise<Uint8Array> {
  const { image, width, height } = await open(bytes, where);
  if (width !== height)
    throw new BenchmarkFormatError(`${where} is ${width}×${height}; verification images are square aligned crops`);
  const sized = width === size ? image : image.resize(size, size, { kernel: 'cubic' });
  try {
    const { data, info } = await sized.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) throw new Error(`decoded to ${info.channels} channels`);
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    throw new BenchmarkFormatError(`${where}: decoding failed (${(err as Error).message})`, undefined, { cause: err });
  }
}

/** Images decoded concurrently (sharp works on its own threads) into one batch. */
export async function decodeBatch(
  images: readonly Uint8Array[],
  size: number,
  where: (k: number) => string = (k) => `image ${k}`,
): Promise<ImageBatch> {
  const plane = size * size * 3;
  const pixels = new Float32Array(images.length * plane);
  const decoded = await Promise.all(images.map((bytes, k) => decodeImage(bytes, size, where(k))));
  decoded.forEach((rgb, k) => {
    for (let j = 0; j < plane; j++) pixels[k * plane + j] = rgb[j]! / 255;
  });
  return { pixels, count: images.length, size };
}

/** The batch mirrored left to right (insightface's flip: `mx.ndarray.flip` over the width axis). */
export function mirror({ pixels, count, size }: ImageBatch): ImageBatch {
  const out = new Float32Array(pixels.length);
  for (let row = 0; row < count * size; row++)
    for (let x = 0; x < size; x++) {
      const from = (row * size + x) * 3;
      const to = (row * size + size - 1 - x) * 3;
      out[to] = pixels[from]!;
      out[to + 1] = pixels[from + 1]!;
      out[to + 2] = pixels[from + 2]!;
    }
  return { pixels: out, count, size };
}
