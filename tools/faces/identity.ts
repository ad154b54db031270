/**
 * A face identity: the parameters that make one person look like themselves under any pose, age or lighting —
 * head and jaw proportions, where the eyes, brows, nose and mouth sit and how big they are, colours of skin, eyes and
 * hair, hair style, facial hair and marks. Lengths are in head units (the cranium is about 0.9 wide).
 */
import { hairColour, irisColour, mix, type Rgb, skinTone } from './colour.ts';
import { hashSeed, type Rng, seededRng } from './random.ts';

export const HAIR_STYLES = ['bald', 'buzz', 'short', 'sidePart', 'bangs', 'long', 'curly', 'bob'] as const;
export type HairStyle = (typeof HAIR_STYLES)[number];

export const BEARD_STYLES = ['none', 'stubble', 'moustache', 'goatee', 'full'] as const;
export type BeardStyle = (typeof BEARD_STYLES)[number];

export interface Mole {
  x: number;
  y: number;
  r: number;
}

export interface FaceIdentity {
  /** The seed the identity was drawn from; it also seeds the identity's fixed textures (freckles, hair strands). */
  seed: number;
  headWidth: number;
  headHeight: number;
  /** Jaw half-width as a share of headWidth: small is a pointed chin, large a square jaw. */
  jawWidth: number;
  /** Distance from the cranium centre down to the chin. */
  chinDepth: number;
  eyeY: number;
  /** Half the distance between the eye centres. */
  eyeSpacing: number;
  eyeWidth: number;
  /** Eye half-height as a share of its half-width. */
  eyeRoundness: number;
  /** Canthal tilt in radians: positive lifts the outer corners. */
  eyeTilt: number;
  iris: Rgb;
  browGap: number;
  browThickness: number;
  browArch: number;
  browTilt: number;
  browLength: number;
  noseLength: number;
  noseWidth: number;
  noseDepth: number;
  mouthGap: number;
  mouthWidth: number;
  upperLip: number;
  lowerLip: number;
  earSize: number;
  skin: Rgb;
  lips: Rgb;
  blush: number;
  hairStyle: HairStyle;
  hair: Rgb;
  hairVolume: number;
  hairline: number;
  /** Side of a side parting or a fringe's sweep, -1 or 1. */
  partSide: number;
  /** Age at which hair starts to grey. */
  greyOnset: number;
  /** Whether the hairline recedes with age. */
  recedes: boolean;
  beard: BeardStyle;
  moles: Mole[];
  freckles: number;
}

/** Draws the identity of one person from a seed; the same seed always gives the same person. */
export function identityFromSeed(seed: number): FaceIdentity {
  return sampleIdentity(seededRng(hashSeed(seed, 0x1d)), seed);
}

export function sampleIdentity(rng: Rng, seed: number): FaceIdentity {
  const skin = skinTone(rng);
  const hairStyle = rng.pick(HAIR_STYLES, [0.5, 1, 2.2, 1.6, 1.3, 2, 1, 1.2]);
  const beardy = hairStyle !== 'long' && hairStyle !== 'bob' && rng.chance(0.45);
  return {
    seed,
    headWidth: rng.range(0.42, 0.5),
    headHeight: rng.range(0.54, 0.62),
    jawWidth: rng.range(0.66, 0.97),
    chinDepth: rng.range(0.6, 0.72),
    eyeY: rng.range(-0.03, 0.06),
    eyeSpacing: rng.range(0.155, 0.215),
    eyeWidth: rng.range(0.065, 0.095),
    eyeRoundness: rng.range(0.38, 0.65),
    eyeTilt: rng.range(-0.12, 0.22),
    iris: irisColour(rng),
    browGap: rng.range(0.075, 0.13),
    browThickness: rng.range(0.018, 0.045),
    browArch: rng.range(-0.005, 0.04),
    browTilt: rng.range(-0.2, 0.25),
    browLength: rng.range(0.085, 0.13),
    noseLength: rng.range(0.15, 0.25),
    noseWidth: rng.range(0.045, 0.085),
    noseDepth: rng.range(0.05, 0.11),
    mouthGap: rng.range(0.09, 0.15),
    mouthWidth: rng.range(0.1, 0.17),
    upperLip: rng.range(0.012, 0.03),
    lowerLip: rng.range(0.018, 0.042),
    earSize: rng.range(0.1, 0.15),
    skin,
    lips: mix(skin, [0.72, 0.28, 0.3], rng.range(0.3, 0.65)),
    blush: rng.range(0, 0.5),
    hairStyle,
    hair: hairColour(rng),
    hairVolume: rng.range(0.02, 0.09),
    hairline: rng.range(0.3, 0.42),
    partSide: rng.chance(0.5) ? -1 : 1,
    greyOnset: rng.range(35, 62),
    recedes: rng.chance(0.35),
    beard: beardy ? rng.pick(BEARD_STYLES.slice(1), [2, 1.2, 1, 1.5]) : 'none',
    moles: drawMoles(rng),
    freckles: rng.chance(0.2) ? rng.range(0.3, 1) : 0,
  };
}

function drawMoles(rng: Rng): Mole[] {
  const count = rng.pick([0, 1, 2], [3, 2, 1]);
  return Array.from({ length: count }, () => ({
    x: rng.range(-0.3, 0.3),
    y: rng.range(-0.45, 0.2),
    r: rng.range(0.009, 0.016),
  }));
}
