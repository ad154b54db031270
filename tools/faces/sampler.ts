/**
 * Labelled face pictures addressed by (set seed, identity, image): the same address always gives the same picture,
 * whatever order or process draws it, so datasets can be rendered in shards and training sets can be re-created
 * exactly from their seed. Two set seeds give disjoint people.
 */
import {
  type AttributeSpread,
  defaultAttributeSpread,
  type FaceAttributes,
  type Nuisance,
  sampleAttributes,
  sampleNuisance,
} from './attributes.ts';
import { type FaceIdentity, identityFromSeed } from './identity.ts';
import { hashSeed, seededRng } from './random.ts';
import { renderFace } from './render.ts';

export interface LabelledFace {
  /** Identity index within the set: the class label. */
  identity: number;
  /** Picture index within the identity. */
  index: number;
  person: FaceIdentity;
  attributes: FaceAttributes;
  nuisance: Nuisance;
  size: number;
  /** RGB bytes, size × size × 3. */
  pixels: Uint8Array;
}

/** Stream tags so identity, attribute and nuisance draws never share random numbers. */
const PERSON = 0x9e01;
const PICTURE = 0x9e02;

/** The person behind identity `identity` of the set with seed `setSeed`. */
export function setIdentity(setSeed: number, identity: number): FaceIdentity {
  return identityFromSeed(hashSeed(PERSON, setSeed, identity));
}

/** The attributes and nuisance factors of one picture. */
export function pictureConditions(
  setSeed: number,
  identity: number,
  index: number,
  spread: AttributeSpread = defaultAttributeSpread,
): { attributes: FaceAttributes; nuisance: Nuisance } {
  const rng = seededRng(hashSeed(PICTURE, setSeed, identity, index));
  const attributes = sampleAttributes(rng, spread);
  return { attributes, nuisance: sampleNuisance(rng) };
}

export function labelledFace(
  setSeed: number,
  identity: number,
  index: number,
  size: number,
  spread: AttributeSpread = defaultAttributeSpread,
): LabelledFace {
  const person = setIdentity(setSeed, identity);
  const { attributes, nuisance } = pictureConditions(setSeed, identity, index, spread);
  const { pixels } = renderFace(person, attributes, nuisance, size);
  return { identity, index, person, attributes, nuisance, size, pixels };
}
