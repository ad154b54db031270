/**
 * Algorithm 3 (dataset planning) and the project's seeding contract. Tammes anchors on the sphere (blockwise, bounded
 * memory), Eq. 9 embeddings around them, attribute draws from a pool or ranges, the pairing of images with embeddings,
 * and the counter-based generator (Philox4x32-10) from which every random value of a dataset derives by
 * (datasetSeed, identity, imageIndex, purpose) alone. Outputs are Float32Arrays and JSON-able objects.
 */
export {
  type AttributePool,
  type AttributeSource,
  AttributeSourceError,
  checkAttributeSource,
  drawAttributes,
} from './attributes.ts';
export {
  type EmbeddingSpace,
  embeddingSpaceBytes,
  embeddingSpaceFromBytes,
  fitEmbeddingSpace,
  toEmbeddingSpace,
} from './embedding-space.ts';
export { type EmbeddingConfig, identityEmbeddings, planEmbeddings } from './embeddings.ts';
export {
  embeddingConfig,
  type ImagePlan,
  type PlanConfig,
  planAnchors,
  planFromSpec,
  planIdentityEmbeddings,
  planImage,
  planImages,
} from './plan.ts';
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
} from './prng.ts';
export {
  defaultTammesConfig,
  initialAnchors,
  maxPairwiseCosine,
  solveTammes,
  type TammesConfig,
  type TammesResult,
  tammesFromSpec,
} from './tammes.ts';
