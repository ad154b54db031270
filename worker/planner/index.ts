/**
 * Algorithm 3's planning and the project's seeding contract: the counter-based generator (Philox4x32-10) from which
 * every random value of a dataset derives by (datasetSeed, identity, imageIndex, purpose) alone.
 */
export {
  blocksFor,
  fillNormal,
  fillUniform,
  fillWords,
  normals,
  PURPOSE,
  type Purpose,
  philox4x32,
  type StreamKey,
  seedKey,
  uniforms,
} from './prng.ts';
