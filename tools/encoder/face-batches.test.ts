import { describe, expect, it } from 'vitest';
import { labelledFace } from '../faces/index.ts';
import { FacePool, gridAddresses, renderBatch } from './face-batches.ts';

describe('renderBatch', () => {
  it('maps bytes to [−1, 1] and labels each picture with its identity', () => {
    const b = renderBatch(3, [{ identity: 2, index: 5 }], 16);
    const face = labelledFace(3, 2, 5, 16);
    expect(b.labels).toEqual(Int32Array.from([2]));
    expect(b.pixels[0]).toBeCloseTo(face.pixels[0]! / 127.5 - 1, 6);
    expect(Math.min(...b.pixels)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...b.pixels)).toBeLessThanOrEqual(1);
  });

  it('shifts a picture by whole pixels, repeating the edge', () => {
    const [plain, moved] = [undefined, [[1, 0]] as [number, number][]].map(
      (shifts) => renderBatch(3, [{ identity: 0, index: 0 }], 16, shifts).pixels,
    );
    const at = (p: Float32Array, x: number, y: number) => p[(y * 16 + x) * 3];
    expect(at(moved!, 5, 7)).toBe(at(plain!, 4, 7));
    expect(at(moved!, 0, 7)).toBe(at(plain!, 0, 7));
  });
});

describe('FacePool', () => {
  it('gives the same batches as rendering on demand, and rebuilds from its bytes', () => {
    const pool = FacePool.render(4, 3, 2, 16);
    const addresses = [
      { identity: 2, index: 1 },
      { identity: 0, index: 0 },
    ];
    const shifts: [number, number][] = [
      [1, -1],
      [0, 0],
    ];
    expect(pool.batch(addresses, shifts)).toEqual(renderBatch(4, addresses, 16, shifts));
    const again = new FacePool(4, 3, 2, 16, pool.pixels.slice());
    expect(again.batch(addresses)).toEqual(pool.batch(addresses));
    expect(() => new FacePool(4, 3, 2, 16, new Uint8Array(10))).toThrow(RangeError);
  });
});

describe('gridAddresses', () => {
  it('lists every picture of every identity in order', () => {
    expect(gridAddresses(2, 2)).toEqual([
      { identity: 0, index: 0 },
      { identity: 0, index: 1 },
      { identity: 1, index: 0 },
      { identity: 1, index: 1 },
    ]);
  });
});
