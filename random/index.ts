/**
 * The seeding contract: every random value of a dataset or a training run is a pure function of its coordinates
 * (seed, a, b, purpose, block) under the counter-based Philox4x32-10 generator (philox.ts, pinned by known-answer
 * tests), so any value can be computed alone, in any order, on any worker. `imageNoiseKey` names where an image's
 * noise comes from. Pure and dependency-free: every room may import it.
 */
export { imageNoiseKey } from './keys.ts';
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
  uniformStream,
  uniforms,
} from './philox.ts';
