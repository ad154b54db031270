/**
 * Batches of rendered procedural faces for training and evaluating encoders: pixels in the diffusion range [−1, 1]
 * (NHWC float32) with their identity labels. Pictures are addressed by (set seed, identity, index), so a batch is a
 * pure function of its addresses.
 */
import { labelledFace } from '../faces/index.ts';

export interface FaceAddress {
  identity: number;
  index: number;
}

export interface FaceBatch {
  size: number;
  /** [n, size, size, 3] in [−1, 1]. */
  pixels: Float32Array;
  labels: Int32Array;
}

/**
 * Renders the addressed faces. `shifts` (optional, one [dx, dy] per face, in pixels) translates each picture with
 * edge clamping: a small augmentation against the renderer's perfect centring.
 */
export function renderBatch(
  setSeed: number,
  addresses: readonly FaceAddress[],
  size: number,
  shifts?: readonly (readonly [number, number])[],
): FaceBatch {
  const plane = size * size * 3;
  const pixels = new Float32Array(addresses.length * plane);
  const labels = new Int32Array(addresses.length);
  addresses.forEach((a, n) => {
    const face = labelledFace(setSeed, a.identity, a.index, size);
    const [dx, dy] = shifts?.[n] ?? [0, 0];
    writeShifted(face.pixels, size, dx, dy, pixels, n * plane);
    labels[n] = a.identity;
  });
  return { size, pixels, labels };
}

/**
 * Pictures 0 … perIdentity−1 of identities 0 … identities−1, rendered once and kept as bytes: rendering costs about
 * as much as a training step of a small encoder, so training draws its batches from here.
 */
export class FacePool {
  private readonly plane: number;

  /** A pool from pictures rendered earlier (its `pixels`, e.g. read back from a cache file). */
  constructor(
    readonly setSeed: number,
    readonly identities: number,
    readonly perIdentity: number,
    readonly size: number,
    private readonly bytes: Uint8Array,
  ) {
    this.plane = size * size * 3;
    if (bytes.length !== identities * perIdentity * this.plane) throw new RangeError('pool bytes have the wrong size');
  }

  static render(
    setSeed: number,
    identities: number,
    perIdentity: number,
    size: number,
    onProgress?: (done: number, total: number) => void,
  ): FacePool {
    const plane = size * size * 3;
    const bytes = new Uint8Array(identities * perIdentity * plane);
    for (let identity = 0; identity < identities; identity++) {
      for (let index = 0; index < perIdentity; index++) {
        bytes.set(labelledFace(setSeed, identity, index, size).pixels, (identity * perIdentity + index) * plane);
      }
      onProgress?.(identity + 1, identities);
    }
    return new FacePool(setSeed, identities, perIdentity, size, bytes);
  }

  /** All pictures, identity-major, as RGB bytes. */
  get pixels(): Uint8Array {
    return this.bytes;
  }

  /** Like renderBatch, from the pool; `index` must be below perIdentity. */
  batch(addresses: readonly FaceAddress[], shifts?: readonly (readonly [number, number])[]): FaceBatch {
    const pixels = new Float32Array(addresses.length * this.plane);
    const labels = new Int32Array(addresses.length);
    addresses.forEach((a, n) => {
      const at = (a.identity * this.perIdentity + a.index) * this.plane;
      const [dx, dy] = shifts?.[n] ?? [0, 0];
      writeShifted(this.bytes.subarray(at, at + this.plane), this.size, dx, dy, pixels, n * this.plane);
      labels[n] = a.identity;
    });
    return { size: this.size, pixels, labels };
  }
}

function writeShifted(src: Uint8Array, size: number, dx: number, dy: number, out: Float32Array, at: number): void {
  for (let y = 0; y < size; y++) {
    const sy = Math.min(Math.max(y - dy, 0), size - 1);
    for (let x = 0; x < size; x++) {
      const sx = Math.min(Math.max(x - dx, 0), size - 1);
      const s = (sy * size + sx) * 3;
      const o = at + (y * size + x) * 3;
      out[o] = src[s]! / 127.5 - 1;
      out[o + 1] = src[s + 1]! / 127.5 - 1;
      out[o + 2] = src[s + 2]! / 127.5 - 1;
    }
  }
}

/** Every identity of [0, identities) with pictures 0 … perIdentity−1: an evaluation set. */
export function gridAddresses(identities: number, perIdentity: number): FaceAddress[] {
  const out: FaceAddress[] = [];
  for (let identity = 0; identity < identities; identity++) {
    for (let index = 0; index < perIdentity; index++) out.push({ identity, index });
  }
  return out;
}
