import { PermanentInputError } from '../../api/index.ts';
/**
 * Genuine-versus-impostor separability of similarity scores: equal error rate, d′, false non-match rate at fixed
 * false match rates, and verification accuracy under the LFW protocol (10 folds; each fold's threshold is the one
 * that is best on the other nine).
 */

export interface Separability {
  genuinePairs: number;
  impostorPairs: number;
  genuineMean: number;
  impostorMean: number;
  /** Equal error rate: where the false match and false non-match rates cross. */
  eer: number;
  eerThreshold: number;
  /** (μ_genuine − μ_impostor) / √((σ²_genuine + σ²_impostor) / 2). */
  dPrime: number;
  /**
   * False non-match rate at a threshold that keeps the false match rate at most the key. With fewer than 1/FMR
   * impostor pairs the threshold sits above every impostor score, so the figure is an upper bound.
   */
  fnmrAtFmr: Record<string, number>;
}

export class ScoreError extends PermanentInputError {
  override readonly name = 'ScoreError';
}

export const DEFAULT_FMRS = [1e-3, 1e-4] as const;

export function separability(
  genuine: ArrayLike<number>,
  impostor: ArrayLike<number>,
  fmrs: readonly number[] = DEFAULT_FMRS,
): Separability {
  if (genuine.length === 0 || impostor.length === 0)
    throw new ScoreError('need at least one genuine and one impostor score');
  const g = Float64Array.from(genuine).sort();
  const i = Float64Array.from(impostor).sort();
  const [gm, gv] = meanVar(g);
  const [im, iv] = meanVar(i);
  const { eer, threshold } = equalErrorRate(g, i);
  const fnmrAtFmr: Record<string, number> = {};
  for (const fmr of fmrs) fnmrAtFmr[String(fmr)] = fnmrAt(g, i, fmr);
  return {
    genuinePairs: g.length,
    impostorPairs: i.length,
    genuineMean: gm,
    impostorMean: im,
    eer,
    eerThreshold: threshold,
    dPrime: (gm - im) / Math.sqrt((gv + iv) / 2 || Number.MIN_VALUE),
    fnmrAtFmr,
  };
}

function meanVar(x: Float64Array): [number, number] {
  let s = 0;
  for (const v of x) s += v;
  const m = s / x.length;
  let q = 0;
  for (const v of x) q += (v - m) ** 2;
  return [m, q / x.length];
}

/** Share of sorted values strictly below t (binary search). */
function below(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/** Sweeps every score as a threshold (accept when score ≥ t) and returns where FMR and FNMR are closest. */
function equalErrorRate(g: Float64Array, i: Float64Array): { eer: number; threshold: number } {
  let best = { gap: Infinity, eer: 1, threshold: 0 };
  for (const t of [...g, ...i]) {
    const fnmr = below(g, t);
    const fmr = 1 - below(i, t);
    const gap = Math.abs(fnmr - fmr);
    if (gap < best.gap) best = { gap, eer: (fnmr + fmr) / 2, threshold: t };
  }
  return { eer: best.eer, threshold: best.threshold };
}

function fnmrAt(g: Float64Array, i: Float64Array, fmr: number): number {
  // Accept when score > the impostor score at rank ⌊fmr·n⌋ from the top: at most fmr·n impostors pass.
  const allowed = Math.floor(fmr * i.length);
  const threshold = i[i.length - 1 - allowed]!;
  let rejected = 0;
  for (const v of g) if (v <= threshold) rejected++;
  return rejected / g.length;
}

/** Accuracy of the threshold (accept when score ≥ t) that is best on the given scores. */
function bestThreshold(scores: Float64Array, same: Uint8Array, rows: number[]): number {
  const order = [...rows].sort((a, b) => scores[a]! - scores[b]!);
  // Start with everything accepted, then move the threshold up past one score at a time.
  let correct = rows.reduce((c, r) => c + same[r]!, 0);
  let best = { correct, t: -Infinity };
  for (let k = 0; k < order.length; k++) {
    correct += same[order[k]!] ? -1 : 1;
    const next = k + 1 < order.length ? scores[order[k + 1]!]! : Infinity;
    if (correct > best.correct) best = { correct, t: (scores[order[k]!]! + next) / 2 };
  }
  return best.t;
}

export interface VerificationAccuracy {
  /** Mean accuracy over the folds. */
  accuracy: number;
  std: number;
  folds: number;
  /** Mean of the folds' thresholds. */
  threshold: number;
}

/** LFW-protocol accuracy: pairs split into `folds` contiguous folds; each is judged by the others' best threshold. */
export function verificationAccuracy(scores: ArrayLike<number>, same: Uint8Array, folds = 10): VerificationAccuracy {
  const n = scores.length;
  if (n < folds || same.length !== n) throw new ScoreError(`need ≥ ${folds} scores with one label each`);
  const s = Float64Array.from(scores);
  const accs: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const lo = Math.floor((f * n) / folds);
    const hi = Math.floor(((f + 1) * n) / folds);
    const train: number[] = [];
    for (let r = 0; r < n; r++) if (r < lo || r >= hi) train.push(r);
    const t = bestThreshold(s, same, train);
    let correct = 0;
    for (let r = lo; r < hi; r++) if (s[r]! >= t === (same[r] === 1)) correct++;
    accs.push(correct / (hi - lo));
    thresholds.push(t);
  }
  const mean = accs.reduce((a, b) => a + b, 0) / folds;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / folds);
  return { accuracy: mean, std, folds, threshold: thresholds.reduce((a, b) => a + b, 0) / folds };
}
