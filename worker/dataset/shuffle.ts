import type { Rng } from '../storage/index.ts';

/**
 * A seeded generator (mulberry32 over a splitmix32-scrambled seed): the same seed gives the same order on every
 * machine, which is what makes a training run's batch order reproducible. Not for cryptography.
 */
export function seededRng(seed: number): Rng {
  let s = splitmix32((Math.floor(seed) >>> 0) ^ Math.floor(seed / 2 ** 32));
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Fisher–Yates: a new array, uniformly permuted. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * WebDataset-style shuffle of a stream: items wait in a buffer of `size` and leave in random order, so a stream can
 * be shuffled locally without being held whole. `size` ≤ 1 passes items through.
 */
export async function* shuffleBuffer<T>(source: AsyncIterable<T>, size: number, rng: Rng): AsyncIterable<T> {
  const buffer: T[] = [];
  for await (const item of source) {
    buffer.push(item);
    if (buffer.length < size) continue;
    yield takeRandom(buffer, rng);
  }
  while (buffer.length > 0) yield takeRandom(buffer, rng);
}

function takeRandom<T>(buffer: T[], rng: Rng): T {
  const i = Math.floor(rng() * buffer.length);
  const item = buffer[i]!;
  buffer[i] = buffer[buffer.length - 1]!;
  buffer.pop();
  return item;
}
