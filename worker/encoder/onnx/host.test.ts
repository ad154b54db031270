import { describe, expect, it } from 'vitest';
import {
  binaryHost,
  broadcastShapes,
  castHost,
  concatHost,
  gatherHost,
  type HostTensor,
  hostFloats,
  hostInts,
  sliceHost,
  sliceSpec,
  transposeHost,
} from './host.ts';

const ints = (dims: number[], data: number[]) => hostInts(dims, data);
const plain = (t: HostTensor) => ({ dims: t.dims, data: Array.from(t.data) });
// INT64_MAX as it reaches the host: model.ts reads int64 values as the nearest double.
const INT64_MAX = Number(2n ** 63n - 1n);

describe('host folding (numpy semantics, as ONNX defines them)', () => {
  it.each([
    { name: 'a range', given: { starts: [1], ends: [4] }, want: [1, 2, 3] },
    { name: 'negative start', given: { starts: [-2], ends: [INT64_MAX] }, want: [4, 5] },
    { name: 'ends past the end are clamped', given: { starts: [0], ends: [100], steps: [2] }, want: [0, 2, 4] },
    {
      name: 'a negative step reverses',
      given: { starts: [-1], ends: [-INT64_MAX], steps: [-1] },
      want: [5, 4, 3, 2, 1, 0],
    },
    { name: 'negative step, bounded', given: { starts: [4], ends: [1], steps: [-2] }, want: [4, 2] },
    { name: 'empty', given: { starts: [3], ends: [1] }, want: [] },
  ])('Slice: $name', ({ given, want }) => {
    const t = ints([6], [0, 1, 2, 3, 4, 5]);
    const spec = sliceSpec(t.dims, given.starts, given.ends, undefined, given.steps);
    expect(plain(sliceHost(t, spec)).data).toEqual(want);
  });

  it('Slice on a chosen axis keeps the others whole', () => {
    const t = ints([2, 3], [0, 1, 2, 3, 4, 5]);
    expect(plain(sliceHost(t, sliceSpec(t.dims, [1], [3], [-1])))).toEqual({ dims: [2, 2], data: [1, 2, 4, 5] });
  });

  it.each([
    {
      name: 'integer division truncates toward zero',
      a: ints([2], [7, -7]),
      b: ints([], [2]),
      fn: (x: number, y: number) => x / y,
      want: [3, -3],
    },
    {
      name: 'broadcast [2, 1] with [3]',
      a: ints([2, 1], [10, 20]),
      b: ints([3], [1, 2, 3]),
      fn: (x: number, y: number) => x + y,
      want: [11, 12, 13, 21, 22, 23],
    },
    {
      name: 'float with int gives float',
      a: hostFloats([1], [0.5]),
      b: ints([2], [1, 2]),
      fn: (x: number, y: number) => x * y,
      want: [0.5, 1],
    },
  ])('binary: $name', ({ a, b, fn, want }) => {
    expect(Array.from(binaryHost(a, b, fn).data)).toEqual(want);
  });

  it('refuses shapes that do not broadcast', () => {
    expect(() => broadcastShapes([2, 3], [4])).toThrow('do not broadcast');
  });

  it('Gather: negative and repeated indices; a scalar index drops the axis', () => {
    const t = ints([3, 2], [0, 1, 2, 3, 4, 5]);
    expect(plain(gatherHost(t, ints([2], [-1, 0]), 0))).toEqual({ dims: [2, 2], data: [4, 5, 0, 1] });
    expect(plain(gatherHost(t, ints([], [1]), 1))).toEqual({ dims: [3], data: [1, 3, 5] });
    expect(() => gatherHost(t, ints([1], [3]), 0)).toThrow('out of range');
  });

  it('Concat, Transpose and Cast', () => {
    expect(plain(concatHost([ints([1], [2]), ints([2], [-1, 7])], 0))).toEqual({ dims: [3], data: [2, -1, 7] });
    expect(plain(transposeHost(ints([2, 3], [0, 1, 2, 3, 4, 5]), [1, 0]))).toEqual({
      dims: [3, 2],
      data: [0, 3, 1, 4, 2, 5],
    });
    expect(castHost(hostFloats([2], [1.7, -1.7]), 7)).toEqual(ints([2], [1, -1]));
    expect(castHost(ints([1], [3]), 1).dtype).toBe('float32');
  });
});
