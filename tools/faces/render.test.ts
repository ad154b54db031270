import { describe, expect, it } from 'vitest';
import { frontalAttributes, neutralNuisance, sampleAttributes, sampleNuisance } from './attributes.ts';
import { identityFromSeed } from './identity.ts';
import { faceLandmarks } from './landmarks.ts';
import { hashSeed, seededRng } from './random.ts';
import { FaceRenderError, renderFace } from './render.ts';

/** Area-average downsampling of an RGB picture by an integer factor. */
function shrink(pixels: Uint8Array, size: number, factor: number): Float64Array {
  const out = new Float64Array((size / factor) ** 2 * 3);
  const s = size / factor;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        out[(Math.floor(y / factor) * s + Math.floor(x / factor)) * 3 + c]! +=
          pixels[(y * size + x) * 3 + c]! / factor ** 2;
      }
    }
  }
  return out;
}

const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

describe('renderFace', () => {
  it.each([32, 64, 112])('renders %i px pictures as RGB bytes, deterministically', (size) => {
    const rng = seededRng(hashSeed(size));
    const id = identityFromSeed(size);
    const attrs = sampleAttributes(rng);
    const nuisance = sampleNuisance(rng);
    const a = renderFace(id, attrs, nuisance, size);
    expect(a.size).toBe(size);
    expect(a.pixels.length).toBe(size * size * 3);
    expect(renderFace(id, attrs, nuisance, size).pixels).toEqual(a.pixels);
  });

  it.each([0, 7, 31.5, 2048, Number.NaN])('rejects size %s', (size) => {
    expect(() => renderFace(identityFromSeed(1), frontalAttributes, neutralNuisance, size)).toThrow(FaceRenderError);
  });

  it('draws the same person at every size: a large picture shrunk matches the small one', () => {
    const small = renderFace(identityFromSeed(3), frontalAttributes, neutralNuisance, 32).pixels;
    const big = shrink(renderFace(identityFromSeed(3), frontalAttributes, neutralNuisance, 128).pixels, 128, 4);
    const other = renderFace(identityFromSeed(4), frontalAttributes, neutralNuisance, 32).pixels;
    expect(meanAbsDiff(small, big)).toBeLessThan(4);
    expect(meanAbsDiff(small, other)).toBeGreaterThan(3 * meanAbsDiff(small, big));
  });

  it('changes the picture with every attribute', () => {
    const id = identityFromSeed(8);
    const base = renderFace(id, frontalAttributes, neutralNuisance, 32).pixels;
    for (const change of [{ age: 85 }, { yaw: 30 }, { pitch: 20 }, { roll: 15 }]) {
      const moved = renderFace(id, { ...frontalAttributes, ...change }, neutralNuisance, 32).pixels;
      expect(meanAbsDiff(base, moved), JSON.stringify(change)).toBeGreaterThan(1);
    }
  });

  it('puts the pupils where the landmarks say the eyes are', () => {
    const id = identityFromSeed(12);
    const attrs = { ...frontalAttributes, yaw: 20, roll: 10 };
    const size = 112;
    const { pixels } = renderFace(id, attrs, neutralNuisance, size);
    const lm = faceLandmarks(id, attrs, neutralNuisance, size);
    const luminance = (x: number, y: number): number => {
      const o = (Math.floor(y) * size + Math.floor(x)) * 3;
      return (pixels[o]! + pixels[o + 1]! + pixels[o + 2]!) / 3;
    };
    for (const eye of [lm.leftEye, lm.rightEye]) {
      // Gaze is centred in the neutral setting, so the eye centre shows the pupil: darker than the cheek below.
      expect(luminance(eye[0], eye[1])).toBeLessThan(0.5 * luminance(eye[0], eye[1] + size * 0.12));
    }
  });
});

describe('faceLandmarks', () => {
  const id = identityFromSeed(21);
  const at = (change: object) => faceLandmarks(id, { ...frontalAttributes, ...change }, neutralNuisance, 100);
  const front = at({});

  it('is symmetric for a frontal face', () => {
    expect(front.leftEye[0] + front.rightEye[0]).toBeCloseTo(100, 6);
    expect(front.leftEye[1]).toBeCloseTo(front.rightEye[1], 6);
    expect(front.nose[0]).toBeCloseTo(50, 6);
    expect(front.nose[1]).toBeGreaterThan(front.leftEye[1]);
    expect(front.mouthLeft[1]).toBeGreaterThan(front.nose[1]);
  });

  it.each([
    { name: 'yaw turns the nose towards the picture right', change: { yaw: 30 }, check: 'noseRight' },
    { name: 'pitch lifts the features', change: { pitch: 20 }, check: 'eyesUp' },
    { name: 'roll turns the eye line counter-clockwise', change: { roll: 20 }, check: 'ccw' },
  ])('$name', ({ change, check }) => {
    const lm = at(change);
    if (check === 'noseRight') expect(lm.nose[0]).toBeGreaterThan(front.nose[0] + 5);
    if (check === 'eyesUp') expect(lm.leftEye[1]).toBeLessThan(front.leftEye[1] - 3);
    // Picture y points down, so a counter-clockwise turn lifts the picture-right eye.
    if (check === 'ccw') expect(lm.leftEye[1]).toBeLessThan(lm.rightEye[1] - 5);
  });

  it('foreshortens the far side under yaw', () => {
    const lm = at({ yaw: 40 });
    const eyeGap = lm.leftEye[0] - lm.rightEye[0];
    expect(eyeGap).toBeLessThan(0.9 * (front.leftEye[0] - front.rightEye[0]));
    expect(lm.leftEye[0] - lm.nose[0]).toBeLessThan(lm.nose[0] - lm.rightEye[0]);
  });
});
