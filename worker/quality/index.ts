/**
 * Quality measures of a labelled face set under an identity encoder (the method page's list): identity consistency,
 * intra-class diversity, inter-class separation, genuine-versus-impostor separability (EER, d′, FNMR at fixed FMR,
 * LFW-style accuracy) and label-flip rate — pure functions over embeddings and labels — plus the report writers.
 */

export {
  defaultQualityOptions,
  type QualityDistributions,
  type QualityInput,
  QualityInputError,
  type QualityMetrics,
  type QualityOptions,
  qualityMetrics,
  type Summary,
  summary,
} from './measures.ts';
export { groupByLabel, PairSamplingError, type Pairs, samplePairs } from './pairs.ts';
export { type NearestResult, nearest } from './similarity.ts';
export {
  centroids,
  cosineRows,
  dotRows,
  EmbeddingShapeError,
  type Embeddings,
  embeddings,
  unitRows,
} from './vectors.ts';
export {
  DEFAULT_FMRS,
  ScoreError,
  type Separability,
  separability,
  type VerificationAccuracy,
  verificationAccuracy,
} from './verification.ts';
