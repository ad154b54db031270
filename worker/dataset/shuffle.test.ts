import { describe, expect, it } from 'vitest';
import { PURPOSE, uniformStream } from '../../random/index.ts';
import { shuffleBuffer, shuffled } from './shuffle.ts';

const seededRng = (seed: number) => uniformStream({ seed, a: 0, b: 0, purpose: PURPOSE.inputOrder });

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

async function* from<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

describe('seeded shuffling', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);

  it('the same seed gives the same order; another seed another order', () => {
    const a = shuffled(items, seededRng(7));
    expect(shuffled(items, seededRng(7))).toEqual(a);
    expect(shuffled(items, seededRng(8))).not.toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
  });

  it('spreads uniformly enough: every position sees many different items over seeds', () => {
    const firsts = new Set(Array.from({ length: 200 }, (_, s) => shuffled(items, seededRng(s))[0]));
    expect(firsts.size).toBeGreaterThan(35);
  });

  it('a large seed is not truncated to the same stream', () => {
    expect(seededRng(2 ** 40)()).not.toBe(seededRng(0)());
  });

  it('the shuffle buffer emits every item once, reproducibly, and mixes beyond the buffer size', async () => {
    const a = await collect(shuffleBuffer(from(items), 8, seededRng(3)));
    expect(await collect(shuffleBuffer(from(items), 8, seededRng(3)))).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(await collect(shuffleBuffer(from(items), 1, seededRng(3)))).toEqual(items);
  });
});
