/**
 * Algorithm 3 (dataset planning): Tammes anchors on the sphere (blockwise, bounded memory), Eq. 9 embeddings around
 * them, attribute draws from a pool or ranges, and the pairing of images with embeddings and noise streams. Every
 * random value comes from the seeding contract in random/. Outputs are Float32Arrays and JSON-able objects.
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
  defaultTammesConfig,
  initialAnchors,
  maxPairwiseCosine,
  solveTammes,
  type TammesConfig,
  type TammesResult,
  tammesFromSpec,
} from './tammes.ts';
