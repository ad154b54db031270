/**
 * Procedural faces: a deterministic renderer of cartoon faces in pure TypeScript. An identity is a parameter vector
 * drawn from a seed (proportions, colours, hair, marks); the paper's attributes (age, pitch, yaw, roll) and nuisance
 * factors (lighting, expression, background, colour cast) change how it is drawn. This is the project's ground-truth
 * world: identity encoders train on it and quality measures are checked against it.
 */
export {
  type AttributeSpread,
  defaultAttributeSpread,
  type FaceAttributes,
  frontalAttributes,
  type Nuisance,
  neutralNuisance,
  sampleAttributes,
  sampleNuisance,
} from './attributes.ts';
export type { Rgb } from './colour.ts';
export {
  checkFixtureSpec,
  FIXTURES_FORMAT,
  type FixtureLine,
  type FixtureProgress,
  type FixtureSink,
  type FixtureSpec,
  FixtureSpecError,
  fixtureKey,
  renderFixture,
  writeFaceFixtures,
} from './fixtures.ts';
export {
  BEARD_STYLES,
  type BeardStyle,
  type FaceIdentity,
  HAIR_STYLES,
  type HairStyle,
  identityFromSeed,
  type Mole,
  sampleIdentity,
} from './identity.ts';
export { faceLandmarks, type Landmarks } from './landmarks.ts';
export { hash2, hashSeed, type Rng, seededRng } from './random.ts';
export { type FacePicture, FaceRenderError, MAX_SIZE, MIN_SIZE, renderFace, samplesPerSide } from './render.ts';
export { type LabelledFace, labelledFace, pictureConditions, setIdentity } from './sampler.ts';
