import { PermanentInputError } from '../../api/index.ts';
/**
 * Renders face pictures: one identity under given attributes and nuisance factors, at any size, as RGB bytes. The
 * picture is resolution-independent (the same identity is the same person at 32, 64 or 112 pixels). Anti-aliasing is
 * adaptive: one sample per pixel with features drawn at pixel-wide soft edges, then a grid of samples for every pixel
 * whose neighbours differ (silhouettes, feature outlines), which keeps large pictures fast.
 */
import type { FaceAttributes, Nuisance } from './attributes.ts';
import { toByte } from './colour.ts';
import type { FaceIdentity } from './identity.ts';
import { resolveLayout } from './layout.ts';
import { FaceTracer } from './trace.ts';

export interface FacePicture {
  size: number;
  /** RGB, row-major, top row first: size × size × 3 bytes. */
  pixels: Uint8Array;
}

export class FaceRenderError extends PermanentInputError {
  override readonly name = 'FaceRenderError';
}

export const MIN_SIZE = 8;
export const MAX_SIZE = 1024;
/** A pixel is refined when a neighbour differs by more than this in any channel (colours in [0, 1]). */
const EDGE = 0.03;

/** Samples per pixel side where a pixel is refined. */
export function samplesPerSide(size: number): number {
  return Math.max(2, Math.min(4, Math.ceil(192 / size)));
}

export function renderFace(
  identity: FaceIdentity,
  attributes: FaceAttributes,
  nuisance: Nuisance,
  size: number,
): FacePicture {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new FaceRenderError(`picture size must be an integer in [${MIN_SIZE}, ${MAX_SIZE}], got ${size}`);
  }
  const tracer = new FaceTracer(resolveLayout(identity, attributes, nuisance), attributes);
  const coarse = sampleCentres(tracer, size);
  refineEdges(tracer, size, coarse);
  const pixels = new Uint8Array(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = toByte(coarse[i]!);
  return { size, pixels };
}

function sampleCentres(tracer: FaceTracer, size: number): Float64Array {
  const px = 2 / size;
  const rgb = new Float64Array(size * size * 3);
  const c = new Float64Array(3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      tracer.sample((x + 0.5) * px - 1, 1 - (y + 0.5) * px, px, c);
      rgb.set(c, (y * size + x) * 3);
    }
  }
  return rgb;
}

/** Replaces, in place, every pixel that differs from a 4-neighbour by an average of ss × ss samples. */
function refineEdges(tracer: FaceTracer, size: number, rgb: Float64Array): void {
  const flags = edgePixels(rgb, size);
  const ss = samplesPerSide(size);
  const step = 2 / (size * ss);
  const c = new Float64Array(3);
  const inv = 1 / (ss * ss);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!flags[y * size + x]) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ss; j++) {
        const sy = 1 - (y * ss + j + 0.5) * step;
        for (let i = 0; i < ss; i++) {
          tracer.sample((x * ss + i + 0.5) * step - 1, sy, step, c);
          r += c[0]!;
          g += c[1]!;
          b += c[2]!;
        }
      }
      const o = (y * size + x) * 3;
      rgb[o] = r * inv;
      rgb[o + 1] = g * inv;
      rgb[o + 2] = b * inv;
    }
  }
}

function edgePixels(rgb: Float64Array, size: number): Uint8Array {
  const flags = new Uint8Array(size * size);
  const differ = (a: number, b: number): boolean =>
    Math.abs(rgb[a]! - rgb[b]!) > EDGE ||
    Math.abs(rgb[a + 1]! - rgb[b + 1]!) > EDGE ||
    Math.abs(rgb[a + 2]! - rgb[b + 2]!) > EDGE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = y * size + x;
      if (x + 1 < size && differ(p * 3, (p + 1) * 3)) flags[p] = flags[p + 1] = 1;
      if (y + 1 < size && differ(p * 3, (p + size) * 3)) flags[p] = flags[p + size] = 1;
    }
  }
  return flags;
}
