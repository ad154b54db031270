import type { Rng } from '../../io/storage/index.ts';

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
