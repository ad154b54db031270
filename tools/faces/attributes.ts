/**
 * What changes between two pictures of one person: the paper's attributes (age and head pose, the conditioning s)
 * and nuisance factors that no label records (lighting, expression, background, colour cast).
 */
import type { Rgb } from './colour.ts';
import type { Rng } from './random.ts';

/** The paper's attributes: age in years [0, 100]; pitch, yaw and roll in degrees [-90, 90]. */
export interface FaceAttributes {
  age: number;
  pitch: number;
  yaw: number;
  roll: number;
}

export interface Nuisance {
  /** Where the key light comes from, in degrees: azimuth around the view axis (0 = from the image's right, 90 = from
   * above). */
  lightAzimuth: number;
  /** Degrees above the image plane towards the viewer; 90 is a frontal light. */
  lightElevation: number;
  lightIntensity: number;
  ambient: number;
  /** -0.3 (frown) to 1 (broad open smile). */
  smile: number;
  /** -1 (lowered) to 1 (raised). */
  browRaise: number;
  /** 0.25 (squint) to 1 (wide open). */
  eyeOpen: number;
  /** Gaze offset within the eye, each in [-1, 1]. */
  gazeX: number;
  gazeY: number;
  backgroundTop: Rgb;
  backgroundBottom: Rgb;
  shirt: Rgb;
  /** Per-channel gain of the whole picture (a colour cast), each near 1. */
  tint: Rgb;
}

/** Bounds of attribute draws: a training set with realistic spreads, not the attribute range's extremes. */
export interface AttributeSpread {
  age: readonly [number, number];
  /** Standard deviations of the pose angles, in degrees; draws are clipped to ±2.5 sd and to [-90, 90]. */
  pitchSd: number;
  yawSd: number;
  rollSd: number;
}

export const defaultAttributeSpread: AttributeSpread = { age: [5, 85], pitchSd: 10, yawSd: 22, rollSd: 8 };

export const frontalAttributes: FaceAttributes = { age: 35, pitch: 0, yaw: 0, roll: 0 };

export function sampleAttributes(rng: Rng, spread: AttributeSpread = defaultAttributeSpread): FaceAttributes {
  const angle = (sd: number): number => clip(rng.normal(), -2.5, 2.5) * sd;
  return {
    age: rng.range(spread.age[0], spread.age[1]),
    pitch: clip(angle(spread.pitchSd), -90, 90),
    yaw: clip(angle(spread.yawSd), -90, 90),
    roll: clip(angle(spread.rollSd), -90, 90),
  };
}

export function sampleNuisance(rng: Rng): Nuisance {
  const hue = (): Rgb => [rng.range(0.25, 0.95), rng.range(0.25, 0.95), rng.range(0.25, 0.95)];
  const top = hue();
  const shade = rng.range(0.6, 1);
  return {
    lightAzimuth: rng.range(-25, 205),
    lightElevation: rng.range(35, 85),
    lightIntensity: rng.range(0.55, 0.85),
    ambient: rng.range(0.35, 0.55),
    smile: rng.pick([rng.range(-0.3, 0.1), rng.range(0.1, 0.6), rng.range(0.6, 1)], [1, 2, 1]),
    browRaise: rng.range(-1, 1),
    eyeOpen: rng.chance(0.1) ? rng.range(0.25, 0.6) : rng.range(0.75, 1),
    gazeX: rng.range(-0.6, 0.6),
    gazeY: rng.range(-0.4, 0.4),
    backgroundTop: top,
    backgroundBottom: [top[0] * shade, top[1] * shade, top[2] * shade],
    shirt: hue(),
    tint: [rng.range(0.93, 1.07), rng.range(0.95, 1.05), rng.range(0.93, 1.07)],
  };
}

/** A neutral setting: frontal soft light, relaxed face, grey background. Useful for reference renders. */
export const neutralNuisance: Nuisance = {
  lightAzimuth: 60,
  lightElevation: 65,
  lightIntensity: 0.7,
  ambient: 0.45,
  smile: 0.2,
  browRaise: 0,
  eyeOpen: 0.9,
  gazeX: 0,
  gazeY: 0,
  backgroundTop: [0.75, 0.78, 0.82],
  backgroundBottom: [0.6, 0.63, 0.68],
  shirt: [0.3, 0.4, 0.55],
  tint: [1, 1, 1],
};

function clip(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
