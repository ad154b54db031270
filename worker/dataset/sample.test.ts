import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from './errors.ts';
import { encodeJsonl, parseJsonl } from './jsonl.ts';
import { imageExtOf, parseSidecar, type SampleMeta, sidecarBytes } from './sample.ts';

describe('sidecars and JSONL', () => {
  const meta: SampleMeta = {
    identity: 3,
    image: 7,
    embedding: 2,
    attributes: { age: 31.5, yaw: -10 },
    seed: '18446744073709551615',
  };

  it('writes a sidecar with a fixed key order, whatever order the object was built in', () => {
    const shuffled = {
      seed: meta.seed,
      attributes: meta.attributes,
      embedding: 2,
      image: 7,
      identity: 3,
    } as SampleMeta;
    const text = Buffer.from(sidecarBytes(shuffled)).toString();
    expect(text).toBe(
      '{"identity":3,"image":7,"embedding":2,"attributes":{"age":31.5,"yaw":-10},"seed":"18446744073709551615"}',
    );
    expect(parseSidecar(sidecarBytes(meta), 'x')).toEqual(meta);
  });

  it.each([
    { name: 'not JSON', given: '{' },
    { name: 'negative identity', given: '{"identity":-1,"image":0,"embedding":0}' },
    { name: 'non-numeric attribute', given: '{"identity":1,"image":0,"embedding":0,"attributes":{"age":"old"}}' },
  ])('refuses a sidecar that is $name', ({ given }) => {
    expect(() => parseSidecar(Buffer.from(given), 'x.json')).toThrow(DatasetFormatError);
  });

  it('round-trips JSONL and names the bad line', () => {
    expect(parseJsonl(encodeJsonl([{ a: 1 }, [2], 'three']), 'f')).toEqual([{ a: 1 }, [2], 'three']);
    expect(() => parseJsonl('{"a":1}\n\n{oops}\n', 'f.jsonl')).toThrow('f.jsonl:3');
  });

  it.each([
    { given: 'a/b.PNG', want: 'png' },
    { given: 'x.jpeg', want: 'jpg' },
    { given: 'x.jpg', want: 'jpg' },
    { given: 'x.json', want: undefined },
  ])('imageExtOf($given) = $want', ({ given, want }) => {
    expect(imageExtOf(given)).toBe(want);
  });
});
