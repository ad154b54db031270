/**
 * Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
 * the generator of cuRAND, JAX and PyTorch's CUDA streams. A value is a pure function of its coordinates, so any value
 * of any stream can be computed alone, in any order, on any worker: nothing is carried from one draw to the next.
 *
 * The project's contract (every random value of a dataset or a training run derives from these coordinates alone):
 *   key     = (seed mod 2³², ⌊seed / 2³²⌋)                         the dataset or training seed, 0 ≤ seed < 2⁵³
 *   counter = (a, b, purpose, block)                               four 32-bit words
 * where (a, b) name the thing drawn for (identity and image index in a dataset; step and batch row in training),
 * `purpose` says what is drawn (PURPOSE below) and `block` walks along the stream. Block n yields the stream's values
 * 4n … 4n+3.
 *   uniform  u = (w + 0.5) / 2³²    from one 32-bit word w: a double in (0, 1), never 0 or 1
 *   normal   Box–Muller on consecutive uniforms (u₁, u₂): (√(−2 ln u₁)·cos 2πu₂, √(−2 ln u₁)·sin 2πu₂)
 * Changing any of this changes every dataset: the known-answer tests pin it.
 */

/** What a stream draws: the third counter word. Values are part of the on-disk contract; never renumber. */
export const PURPOSE = {
  anchorInit: 1,
  embeddingCosine: 2,
  embeddingDirection: 3,
  attributes: 4,
  imageNoise: 5,
  trainTimestep: 6,
  trainNoise: 7,
  trainDropout: 8,
  conditionDropout: 9,
  weightInit: 10,
  batchOrder: 11,
  inputOrder: 12,
} as const;
export type Purpose = (typeof PURPOSE)[keyof typeof PURPOSE];

/** The coordinates of one stream. */
export interface StreamKey {
  seed: number;
  a: number;
  b: number;
  purpose: number;
}

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/**
 * High 32 bits of x·m for uint32 x and a constant m = mH·2¹⁶ + mL, exact in doubles: x·mL and x·mH are below 2⁴⁸,
 * and with x·mH = q·2¹⁶ + r the high word is q + ⌊(r·2¹⁶ + x·mL) / 2³²⌋, every term below 2⁵³.
 */
function mulhi32(x: number, mH: number, mL: number): number {
  const high = x * mH;
  const q = Math.floor(high / 65536);
  return q + Math.floor(((high - q * 65536) * 65536 + x * mL) / TWO32);
}

const M0H = M0 >>> 16;
const M0L = M0 & 0xffff;
const M1H = M1 >>> 16;
const M1L = M1 & 0xffff;

/** One Philox4x32-10 block: writes the four output words of counter (c0..c3) under key (k0, k1) into out[at..at+3]. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  at = 0,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(x0, M0H, M0L);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(x2, M1H, M1L);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = x2;
  out[at + 3] = x3;
}

/** Splits a seed into the two key words; rejects what the contract cannot represent exactly. */
export function seedKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
  return [(seed % TWO32) >>> 0, Math.floor(seed / TWO32) >>> 0];
}

function checkWord(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= TWO32) throw new RangeError(`${name} must be a uint32, got ${v}`);
}

/** Fills `out` with the stream's raw 32-bit words, starting at block `startBlock`. */
export function fillWords(key: StreamKey, out: Uint32Array, startBlock = 0): void {
  const [k0, k1] = seedKey(key.seed);
  checkWord('a', key.a);
  checkWord('b', key.b);
  checkWord('purpose', key.purpose);
  const blocks = Math.ceil(out.length / 4);
  checkWord('block', startBlock + blocks - 1);
  const buf = new Uint32Array(4);
  for (let n = 0; n < blocks; n++) {
    philox4x32(key.a, key.b, key.purpose, startBlock + n, k0, k1, buf);
    const base = n * 4;
    const m = Math.min(4, out.length - base);
    for (let i = 0; i < m; i++) out[base + i] = buf[i]!;
  }
}

/** Uniforms in (0, 1) from the stream, starting at block `startBlock`. */
export function fillUniform(key: StreamKey, out: Float32Array | Float64Array, startBlock = 0): void {
  const words = new Uint32Array(out.length);
  fillWords(key, words, startBlock);
  for (let i = 0; i < out.length; i++) out[i] = (words[i]! + 0.5) / TWO32;
}

/**
 * Standard normals from the stream (Box–Muller on consecutive uniform pairs), starting at block `startBlock`. Each
 * block's four words give two pairs; written without intermediate arrays because the samplers draw every image's
 * noise at every step through here.
 */
export function fillNormal(key: StreamKey, out: Float32Array | Float64Array, startBlock = 0): void {
  const [k0, k1] = seedKey(key.seed);
  checkWord('a', key.a);
  checkWord('b', key.b);
  checkWord('purpose', key.purpose);
  const n = out.length;
  checkWord('block', startBlock + Math.ceil(n / 4) - 1);
  const w = new Uint32Array(4);
  for (let block = startBlock, i = 0; i < n; block++) {
    philox4x32(key.a, key.b, key.purpose, block, k0, k1, w);
    for (let p = 0; p < 4 && i < n; p += 2) {
      const r = Math.sqrt(-2 * Math.log((w[p]! + 0.5) / TWO32));
      const theta = (2 * Math.PI * (w[p + 1]! + 0.5)) / TWO32;
      out[i++] = r * Math.cos(theta);
      if (i < n) out[i++] = r * Math.sin(theta);
    }
  }
}

/** Blocks one draw of `count` values occupies, so that successive draws of one stream never overlap. */
export function blocksFor(count: number): number {
  return Math.ceil(count / 4);
}

/** Convenience: `n` uniforms of one stream as a new array. */
export function uniforms(key: StreamKey, n: number, startBlock = 0): Float64Array {
  const out = new Float64Array(n);
  fillUniform(key, out, startBlock);
  return out;
}

/** Convenience: `n` standard normals of one stream as a new array. */
export function normals(key: StreamKey, n: number, startBlock = 0): Float32Array {
  const out = new Float32Array(n);
  fillNormal(key, out, startBlock);
  return out;
}

/**
 * One stream's uniforms as a sequential generator, for algorithms written against `() => number` (shuffles): the
 * i-th call returns the stream's i-th uniform, generated a few blocks at a time.
 */
export function uniformStream(key: StreamKey): () => number {
  const chunk = new Float64Array(256);
  let block = 0;
  let i = chunk.length;
  return () => {
    if (i === chunk.length) {
      fillUniform(key, chunk, block);
      block += blocksFor(chunk.length);
      i = 0;
    }
    return chunk[i++]!;
  };
}
