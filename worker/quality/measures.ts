import { PermanentInputError } from '../../api/index.ts';
/**
 * The method page's quality measures of a labelled face set, from the embeddings an identity encoder gives its images:
 *   identity consistency   mean cos(f(x), y) to the embedding y that conditioned each image (when known), and mean
 *                          cos(f(x), centroid of its identity)
 *   intra-class diversity  mean pairwise (1 − cos) within an identity
 *   inter-class separation for each identity, the largest cosine between its centroid and another identity's; their
 *                          distribution, and the share of identities above a threshold (0.3 by default)
 *   separability           genuine versus impostor pairs: EER, d′, FNMR at FMR 1e-3 and 1e-4, LFW-style accuracy
 *   label-flip rate        share of images closer to another identity's centroid than to their own
 */
import { groupByLabel, samplePairs } from './pairs.ts';
import { nearest } from './similarity.ts';
import { centroids, dotRows, type Embeddings, unitRows } from './vectors.ts';
import { type Separability, separability, type VerificationAccuracy, verificationAccuracy } from './verification.ts';

export interface QualityInput {
  /** One row per image. */
  embeddings: Embeddings;
  /** Identity label per image. */
  labels: ArrayLike<number>;
  /** The identity embedding y that conditioned each image, one row per image, when the set was generated. */
  conditioning?: Embeddings;
}

export interface QualityOptions {
  /** Inter-class threshold: identities whose nearest other identity is above it count as too close. */
  neighbourThreshold: number;
  /** Genuine pairs, and as many impostor pairs. */
  pairs: number;
  pairSeed: number;
}

export const defaultQualityOptions: QualityOptions = { neighbourThreshold: 0.3, pairs: 6000, pairSeed: 1 };

export interface Summary {
  mean: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
}

export interface QualityMetrics {
  images: number;
  identities: number;
  identityConsistency: number | null;
  centroidConsistency: number;
  intraClassDiversity: number;
  interClass: { nearestCosine: Summary; threshold: number; shareAbove: number };
  separability: Separability;
  verification: VerificationAccuracy;
  labelFlipRate: number;
}

/** The raw per-item values behind the summary, for histograms. */
export interface QualityDistributions {
  nearestCentroidCosine: Float32Array;
  genuineScores: Float64Array;
  impostorScores: Float64Array;
}

export class QualityInputError extends PermanentInputError {
  override readonly name = 'QualityInputError';
}

export function qualityMetrics(
  input: QualityInput,
  options: QualityOptions = defaultQualityOptions,
): { metrics: QualityMetrics; distributions: QualityDistributions } {
  const { labels } = input;
  const x = unitRows(input.embeddings);
  if (labels.length !== x.n) throw new QualityInputError(`${x.n} embeddings but ${labels.length} labels`);
  if (input.conditioning && input.conditioning.n !== x.n) {
    throw new QualityInputError(`${x.n} embeddings but ${input.conditioning.n} conditioning rows`);
  }
  const byLabel = groupByLabel(labels);
  if (byLabel.size < 2) throw new QualityInputError('need at least two identities');
  const groups = [...byLabel.values()];
  const groupOf = new Int32Array(x.n);
  groups.forEach((rows, g) => {
    for (const r of rows) groupOf[r] = g;
  });
  const cents = centroids(x, groups);
  const nearestOther = nearest(
    cents,
    cents,
    groups.map((_, g) => g),
  ).value;
  const flips = labelFlipRate(x, cents, groupOf);
  const { scores, same } = pairScores(x, labels, options);
  const genuineScores = scores.filter((_, k) => same[k] === 1);
  const impostorScores = scores.filter((_, k) => same[k] === 0);
  const shareAbove = nearestOther.filter((v) => v > options.neighbourThreshold).length / groups.length;
  return {
    metrics: {
      images: x.n,
      identities: groups.length,
      identityConsistency: input.conditioning ? meanRowCosine(x, unitRows(input.conditioning)) : null,
      centroidConsistency: mean(Array.from({ length: x.n }, (_, i) => dotRows(x, i, cents, groupOf[i]!))),
      intraClassDiversity: intraClassDiversity(x, groups),
      interClass: { nearestCosine: summary(nearestOther), threshold: options.neighbourThreshold, shareAbove },
      separability: separability(genuineScores, impostorScores),
      verification: verificationAccuracy(scores, same),
      labelFlipRate: flips,
    },
    distributions: { nearestCentroidCosine: nearestOther, genuineScores, impostorScores },
  };
}

function meanRowCosine(x: Embeddings, y: Embeddings): number {
  let s = 0;
  for (let i = 0; i < x.n; i++) s += dotRows(x, i, y, i);
  return s / x.n;
}

/** Mean over identities (with ≥ 2 images) of the mean pairwise 1 − cos of their images. */
function intraClassDiversity(x: Embeddings, groups: number[][]): number {
  const perIdentity: number[] = [];
  for (const rows of groups) {
    if (rows.length < 2) continue;
    let s = 0;
    let pairs = 0;
    for (let a = 0; a < rows.length; a++) {
      for (let b = a + 1; b < rows.length; b++) {
        s += 1 - dotRows(x, rows[a]!, x, rows[b]!);
        pairs++;
      }
    }
    perIdentity.push(s / pairs);
  }
  return perIdentity.length ? mean(perIdentity) : 0;
}

function labelFlipRate(x: Embeddings, cents: Embeddings, groupOf: Int32Array): number {
  const other = nearest(x, cents, groupOf).value;
  let flips = 0;
  for (let i = 0; i < x.n; i++) if (other[i]! > dotRows(x, i, cents, groupOf[i]!)) flips++;
  return flips / x.n;
}

function pairScores(x: Embeddings, labels: ArrayLike<number>, options: QualityOptions) {
  const pairs = samplePairs(labels, options.pairs, options.pairSeed);
  const scores = new Float64Array(pairs.a.length);
  for (let k = 0; k < scores.length; k++) scores[k] = dotRows(x, pairs.a[k]!, x, pairs.b[k]!);
  return { scores, same: pairs.same };
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

export function summary(values: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: mean(sorted), min: sorted[0]!, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}
