import { describe, expect, it } from 'vitest';
import { fillWords, normals, PURPOSE, philox4x32, seedKey, uniformStream, uniforms } from './philox.ts';

describe('philox4x32', () => {
  // Known-answer vectors of Random123 (kat_vectors), the reference implementation.
  it.each([
    {
      name: 'zeros',
      given: { ctr: [0, 0, 0, 0], key: [0, 0] },
      want: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    },
    {
      name: 'all ones',
      given: { ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff] },
      want: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    },
    {
      name: 'pi digits',
      given: { ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], key: [0xa4093822, 0x299f31d0] },
      want: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    },
  ])('$name', ({ given, want }) => {
    const out = new Uint32Array(4);
    const [c0, c1, c2, c3] = given.ctr as [number, number, number, number];
    philox4x32(c0, c1, c2, c3, given.key[0]!, given.key[1]!, out);
    expect([...out]).toEqual(want);
  });
});

describe('streams', () => {
  const key = { seed: 42, a: 3, b: 7, purpose: PURPOSE.imageNoise };

  it('reads any block alone: a stream from block 5 equals the tail of the stream from block 0', () => {
    const all = new Uint32Array(40);
    fillWords(key, all);
    const tail = new Uint32Array(20);
    fillWords(key, tail, 5);
    expect([...tail]).toEqual([...all.slice(20)]);
  });

  it('differs in every coordinate', () => {
    const base = [...uniforms(key, 4)];
    for (const change of [{ seed: 43 }, { a: 4 }, { b: 8 }, { purpose: PURPOSE.attributes }]) {
      expect([...uniforms({ ...key, ...change }, 4)]).not.toEqual(base);
    }
  });

  it('splits seeds above 2^32 into two key words', () => {
    expect(seedKey(2 ** 32 + 5)).toEqual([5, 1]);
    expect(() => seedKey(-1)).toThrow(RangeError);
    expect(() => seedKey(1.5)).toThrow(RangeError);
  });

  it('gives uniforms in (0, 1) and normals with mean 0 and variance 1', () => {
    const u = uniforms(key, 20000);
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = normals(key, 20000);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    // 5 standard errors: 5/sqrt(20000) = 0.035 for the mean, about 0.05 for the variance.
    expect(Math.abs(mean)).toBeLessThan(0.035);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('gives an odd-length normal draw that is the prefix of the even one', () => {
    expect([...normals(key, 5)]).toEqual([...normals(key, 6).slice(0, 5)]);
  });

  it('walks the same stream as a sequential generator, across its internal refills', () => {
    const next = uniformStream(key);
    const drawn = Float64Array.from({ length: 600 }, next);
    expect([...drawn]).toEqual([...uniforms(key, 600)]);
  });
});
