import { PURPOSE, uniformStream } from '../../random/index.ts';
import type { RawImage } from '../../worker/dataset/index.ts';

/**
 * A random but smooth RGB image: a background gradient, a few coloured Gaussian blobs and low-frequency waves, plus
 * mild noise (σ ≈ 2 levels) like a camera's. Its PNG compresses about as a face crop does, unlike white noise
 * (incompressible) or flat colour (nearly free).
 */
export function smoothImage(side: number, seed: number): RawImage {
  const rng = uniformStream({ seed, a: 0, b: 0, purpose: PURPOSE.imageNoise });
  const blobs = Array.from({ length: 6 }, () => ({
    x: rng() * side,
    y: rng() * side,
    r: side * (0.1 + 0.3 * rng()),
    rgb: [rng() * 200 - 100, rng() * 200 - 100, rng() * 200 - 100],
  }));
  const wave = { fx: rng() * 0.15, fy: rng() * 0.15, a: 20 + rng() * 20 };
  const base = [rng() * 255, rng() * 255, rng() * 255];
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const w = wave.a * Math.sin(x * wave.fx + y * wave.fy);
      for (let c = 0; c < 3; c++) {
        let v = base[c]! * (0.6 + (0.4 * y) / side) + w;
        for (const b of blobs) v += b.rgb[c]! * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
        v += (rng() + rng() + rng() - 1.5) * 2.8; // ≈ N(0, 2²)
        data[(y * side + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { data, width: side, height: side, channels: 3 };
}
