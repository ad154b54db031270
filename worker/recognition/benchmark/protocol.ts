/**
 * The 1:1 verification protocol exactly as insightface's `recognition/arcface_torch/eval/verification.py` computes
 * it (`test` → `evaluate` → `calculate_roc`, `calculate_val`), over embeddings already computed:
 *
 * 1. Pair k's embeddings are rows 2k and 2k+1. With flipping (insightface's default and only reported figure,
 *    "Accuracy-Flip"), each row is the sum of the raw embeddings of the image and of its mirror image; then every
 *    row is L2-normalised (sklearn's `normalize`: a zero row stays zero). dist = squared L2 distance, in [0, 4].
 * 2. Folds: sklearn's `KFold(n_splits=10, shuffle=False)` over the pair index — contiguous runs, the first
 *    n mod 10 one pair longer; with 1 fold, train and test are all pairs (insightface's `LFold`).
 * 3. Accuracy: on the nine training folds, the threshold of `np.arange(0, 4, 0.01)` with the most correct
 *    decisions (predict same when dist < t; the first such threshold on ties) is applied to the test fold.
 *    Reported: mean ± population std over the folds.
 * 4. TAR at FAR = 1e-3 (`calculate_val`): on the training folds, FAR(t) for every t of `np.arange(0, 4, 0.001)`;
 *    if it reaches the target anywhere, the threshold is interp1d(FAR, t, 'slinear') at the target (slinear.ts),
 *    else 0 (then nothing is accepted: TAR = FAR = 0 on that fold). Reported: mean TAR, its std, mean FAR.
 *
 * Everything is in float64, as numpy computes it. Counting is exact, so accuracies, FARs and thresholds match
 * insightface's bit for bit unless a distance lies within rounding of a grid threshold; means and stds may differ
 * in the last bit (numpy sums pairwise).
 */
import { ProtocolInputError } from './errors.ts';
import { slinear } from './slinear.ts';

export interface ProtocolOptions {
  folds: number;
  /** Spacing of the accuracy thresholds: np.arange(0, 4, step). */
  accuracyStep: number;
  /** Spacing of the thresholds the FAR curve is sampled at. */
  valStep: number;
  farTarget: number;
}

/** insightface's `evaluate(embeddings, issame_list, nrof_folds=10)`. */
export function insightfaceProtocol(): ProtocolOptions {
  return { folds: 10, accuracyStep: 0.01, valStep: 0.001, farTarget: 1e-3 };
}

/** `np.arange(0, 4, step)`: numpy fills element i as start + i·(second − first), here i·step. */
export function thresholdGrid(step: number, stop = 4): Float64Array {
  if (!(step > 0)) throw new ProtocolInputError(`threshold step must be positive, got ${step}`);
  return Float64Array.from({ length: Math.ceil(stop / step) }, (_, i) => i * step);
}

/** Test ranges [lo, hi) of sklearn's unshuffled KFold. */
export function kFoldRanges(n: number, folds: number): [number, number][] {
  if (!Number.isInteger(folds) || folds < 1 || folds > n)
    throw new ProtocolInputError(`cannot split ${n} pairs into ${folds} folds`);
  const out: [number, number][] = [];
  let lo = 0;
  for (let f = 0; f < folds; f++) {
    const hi = lo + Math.floor(n / folds) + (f < n % folds ? 1 : 0);
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

export interface PairEmbeddings {
  /** 2n rows of `dim` values: pair k is rows 2k and 2k+1. */
  rows: Float32Array | Float64Array;
  dim: number;
  /** The same rows for the mirrored images; summed with `rows` before normalising, as insightface does. */
  flipped?: Float32Array | Float64Array;
}

/** Unit rows as `test` builds them, and insightface's XNorm: the mean L2 norm of every raw row (both lists). */
export function unitRows({ rows, dim, flipped }: PairEmbeddings): { unit: Float64Array; xnorm: number } {
  if (!Number.isInteger(dim) || dim < 1 || rows.length % dim !== 0)
    throw new ProtocolInputError(`${rows.length} values are not rows of ${dim}`);
  if (flipped && flipped.length !== rows.length)
    throw new ProtocolInputError(`${flipped.length} flipped values for ${rows.length} values`);
  const unit = Float64Array.from(rows);
  if (flipped) for (let k = 0; k < unit.length; k++) unit[k]! += flipped[k]!;
  const lists = flipped ? [rows, flipped] : [rows];
  let normSum = 0;
  for (const list of lists) for (let r = 0; r < rows.length; r += dim) normSum += Math.sqrt(sumSquares(list, r, dim));
  for (let r = 0; r < unit.length; r += dim) {
    const norm = Math.sqrt(sumSquares(unit, r, dim)) || 1;
    for (let j = r; j < r + dim; j++) unit[j]! /= norm;
  }
  return { unit, xnorm: normSum / ((lists.length * rows.length) / dim) };
}

function sumSquares(v: ArrayLike<number>, at: number, dim: number): number {
  let s = 0;
  for (let j = at; j < at + dim; j++) s += (v[j] as number) * (v[j] as number);
  return s;
}

/** Squared L2 distance of each pair of unit rows. */
export function pairDistances(unit: Float64Array, dim: number): Float64Array {
  const n = unit.length / (2 * dim);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = unit[2 * k * dim + j]! - unit[(2 * k + 1) * dim + j]!;
      s += d * d;
    }
    out[k] = s;
  }
  return out;
}

export interface FoldResult {
  /** The test pairs [lo, hi). */
  range: [number, number];
  accuracy: number;
  /** The accuracy threshold the training folds chose. */
  threshold: number;
  tar: number;
  far: number;
  /** The threshold at the target FAR (0 when the training folds never reach it). */
  valThreshold: number;
  farReached: boolean;
}

export interface VerificationMetrics {
  pairs: number;
  folds: FoldResult[];
  /** insightface's "Accuracy-Flip: mean+-std" (or the unflipped figure). */
  accuracy: { mean: number; std: number };
  /** `calculate_val`'s val, val_std and far. */
  tarAtFar: { farTarget: number; tar: number; std: number; far: number };
  /** `calculate_roc`'s tpr and fpr: the test folds' rates at each accuracy threshold, averaged over the folds. */
  roc: { thresholds: Float64Array; tpr: Float64Array; fpr: Float64Array };
}

/** Distances split by label and sorted, so that counts below a threshold are searches, not scans. */
interface Split {
  genuine: Float64Array;
  impostor: Float64Array;
}

function split(dist: Float64Array, same: readonly boolean[], keep: (k: number) => boolean): Split {
  const g: number[] = [];
  const i: number[] = [];
  for (let k = 0; k < dist.length; k++) if (keep(k)) (same[k] ? g : i).push(dist[k]!);
  return { genuine: Float64Array.from(g).sort(), impostor: Float64Array.from(i).sort() };
}

/** How many sorted values are < t. */
function below(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many sorted values are < each of the ascending thresholds (one sweep). */
function belowEach(sorted: Float64Array, thresholds: Float64Array): Int32Array {
  const out = new Int32Array(thresholds.length);
  let k = 0;
  for (let t = 0; t < thresholds.length; t++) {
    while (k < sorted.length && sorted[k]! < thresholds[t]!) k++;
    out[t] = k;
  }
  return out;
}

/** calculate_roc for one fold: the best training threshold's test accuracy, and the test rates at every threshold. */
function rocFold(train: Split, test: Split, grid: Float64Array) {
  const tg = belowEach(train.genuine, grid);
  const ti = belowEach(train.impostor, grid);
  let best = 0;
  let bestCorrect = -1;
  for (let t = 0; t < grid.length; t++) {
    const correct = tg[t]! + train.impostor.length - ti[t]!;
    if (correct > bestCorrect) [best, bestCorrect] = [t, correct];
  }
  const g = belowEach(test.genuine, grid);
  const i = belowEach(test.impostor, grid);
  const nG = test.genuine.length;
  const nI = test.impostor.length;
  return {
    threshold: grid[best]!,
    accuracy: (g[best]! + nI - i[best]!) / (nG + nI),
    tpr: Float64Array.from(g, (v) => (nG === 0 ? 0 : v / nG)),
    fpr: Float64Array.from(i, (v) => (nI === 0 ? 0 : v / nI)),
  };
}

/** calculate_val for one fold. */
function valFold(train: Split, test: Split, grid: Float64Array, farTarget: number) {
  const nI = train.impostor.length;
  const far = Float64Array.from(belowEach(train.impostor, grid), (v) => v / nI);
  const farReached = far.reduce((a, b) => Math.max(a, b), 0) >= farTarget;
  const threshold = farReached ? slinear(far, grid, farTarget) : 0;
  return {
    valThreshold: threshold,
    farReached,
    tar: below(test.genuine, threshold) / test.genuine.length,
    far: below(test.impostor, threshold) / test.impostor.length,
  };
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

/** The protocol over pair distances (pairDistances) and labels. */
export function verificationMetrics(
  dist: Float64Array,
  same: readonly boolean[],
  options: ProtocolOptions = insightfaceProtocol(),
): VerificationMetrics {
  if (same.length !== dist.length) throw new ProtocolInputError(`${dist.length} distances for ${same.length} labels`);
  const ranges = kFoldRanges(dist.length, options.folds);
  const rocGrid = thresholdGrid(options.accuracyStep);
  const valGrid = thresholdGrid(options.valStep);
  const tpr = new Float64Array(rocGrid.length);
  const fpr = new Float64Array(rocGrid.length);
  const folds = ranges.map(([lo, hi], f): FoldResult => {
    const inTest = (k: number) => k >= lo && k < hi;
    const test = split(dist, same, inTest);
    const train = options.folds === 1 ? test : split(dist, same, (k) => !inTest(k));
    if (test.genuine.length === 0 || test.impostor.length === 0)
      throw new ProtocolInputError(`fold ${f} (pairs ${lo}–${hi - 1}) lacks same or different pairs; interleave them`);
    const roc = rocFold(train, test, rocGrid);
    for (let t = 0; t < rocGrid.length; t++) {
      tpr[t]! += roc.tpr[t]!;
      fpr[t]! += roc.fpr[t]!;
    }
    return {
      range: [lo, hi],
      accuracy: roc.accuracy,
      threshold: roc.threshold,
      ...valFold(train, test, valGrid, options.farTarget),
    };
  });
  for (let t = 0; t < rocGrid.length; t++) {
    tpr[t]! /= folds.length;
    fpr[t]! /= folds.length;
  }
  const tar = meanStd(folds.map((f) => f.tar));
  return {
    pairs: dist.length,
    folds,
    accuracy: meanStd(folds.map((f) => f.accuracy)),
    tarAtFar: { farTarget: options.farTarget, tar: tar.mean, std: tar.std, far: meanStd(folds.map((f) => f.far)).mean },
    roc: { thresholds: rocGrid, tpr, fpr },
  };
}

/** Normalise, measure and run the protocol: insightface's `test` after its forward passes. */
export function evaluateEmbeddings(
  embeddings: PairEmbeddings,
  same: readonly boolean[],
  options: ProtocolOptions = insightfaceProtocol(),
): VerificationMetrics & { xnorm: number } {
  const { unit, xnorm } = unitRows(embeddings);
  const rows = unit.length / embeddings.dim;
  if (rows !== 2 * same.length) throw new ProtocolInputError(`${rows} embeddings for ${same.length} pairs`);
  return { ...verificationMetrics(pairDistances(unit, embeddings.dim), same, options), xnorm };
}
