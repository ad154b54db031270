/**
 * Algorithm 3 as data: the configuration of a dataset's plan (from the SyntheticDatasetJob spec) and the pairing of
 * images with embeddings and attributes. Image k of identity i uses embedding j = k mod m (images cycle through the m
 * embeddings), a fresh attribute draw, and noise stream (seed, i, k): everything about it is a pure function of
 * (datasetSeed, i, k), so shards, workers and restarts can never change a dataset.
 */
import type { SyntheticDatasetJobSpec } from '../../api/index.ts';
import { imageNoiseKey, type StreamKey } from '../../random/index.ts';
import { type AttributeSource, checkAttributeSource, drawAttributes } from './attributes.ts';
import { type EmbeddingConfig, planEmbeddings } from './embeddings.ts';
import { solveTammes, type TammesConfig, type TammesResult, tammesFromSpec } from './tammes.ts';

export interface PlanConfig {
  seed: number;
  identities: number;
  imagesPerIdentity: number;
  /** m. */
  embeddingsPerIdentity: number;
  anchorSimilarity: { lb: number; ub: number };
  anchors: TammesConfig;
  /** d: the identity encoder's embedding size. */
  embeddingSize: number;
  /** The model's conditioning attributes, in its order. */
  attributeNames: string[];
}

/** The dataset job's spec (admitted) and what the model fixes (embedding size, attribute names) → the plan config. */
export function planFromSpec(
  spec: Pick<
    SyntheticDatasetJobSpec,
    'seed' | 'identities' | 'imagesPerIdentity' | 'embeddingsPerIdentity' | 'anchorSimilarity' | 'anchors'
  >,
  model: { embeddingSize: number; attributeNames: string[] },
  blockSize?: number,
): PlanConfig {
  return {
    seed: spec.seed,
    identities: spec.identities,
    imagesPerIdentity: spec.imagesPerIdentity,
    embeddingsPerIdentity: spec.embeddingsPerIdentity,
    anchorSimilarity: { lb: spec.anchorSimilarity.lb, ub: spec.anchorSimilarity.ub },
    anchors: tammesFromSpec(spec.anchors, blockSize),
    embeddingSize: model.embeddingSize,
    attributeNames: [...model.attributeNames],
  };
}

/** Everything that decides one image. JSON-able. */
export interface ImagePlan {
  identity: number;
  image: number;
  /** Index j of the identity's embedding y_ij it is conditioned on. */
  embedding: number;
  /** Raw attribute values by name. */
  attributes: Record<string, number>;
  /** Its noise stream (random/keys.ts imageNoiseKey). */
  noise: StreamKey;
}

export function embeddingConfig(cfg: PlanConfig): EmbeddingConfig {
  return { seed: cfg.seed, perIdentity: cfg.embeddingsPerIdentity, ...cfg.anchorSimilarity };
}

export function planImage(cfg: PlanConfig, source: AttributeSource, identity: number, image: number): ImagePlan {
  return {
    identity,
    image,
    embedding: image % cfg.embeddingsPerIdentity,
    attributes: drawAttributes(source, cfg.attributeNames, { seed: cfg.seed, identity, image }),
    noise: imageNoiseKey(cfg.seed, identity, image),
  };
}

/** Plans of all images of identities [start, end), identity-major. */
export function planImages(
  cfg: PlanConfig,
  source: AttributeSource,
  range: { start: number; end: number },
): ImagePlan[] {
  checkAttributeSource(source, cfg.attributeNames);
  const out: ImagePlan[] = [];
  for (let i = range.start; i < range.end; i++) {
    for (let k = 0; k < cfg.imagesPerIdentity; k++) out.push(planImage(cfg, source, i, k));
  }
  return out;
}

/** Step 1: the anchors of all identities. */
export function planAnchors(
  cfg: PlanConfig,
  onStep?: (step: number, maxCosine: number, learningRate: number) => void | Promise<void>,
): Promise<TammesResult> {
  return solveTammes(cfg.identities, cfg.embeddingSize, cfg.seed, cfg.anchors, onStep);
}

/** Step 2: the embeddings of identities [start, end), [(end − start)·m × d]. */
export function planIdentityEmbeddings(
  cfg: PlanConfig,
  anchors: Float32Array,
  range: { start: number; end: number },
): Float32Array {
  return planEmbeddings(anchors, cfg.embeddingSize, range, embeddingConfig(cfg));
}
