/**
 * `scipy.interpolate.interp1d(x, y, kind='slinear')(at)` as scipy ≤ 1.8 computes it — the interpolation insightface's
 * `calculate_val` uses to find the threshold at a target FAR.
 *
 * Why ≤ 1.8: in `calculate_val`, x is the FAR of every grid threshold on the training folds, so it repeats (all the
 * zeros below the first impostor, all the ones at the top). scipy 1.9 and later refuse repeated x ("Expect x to not
 * have duplicates", insightface issues #2152 and #2290, answered with "downgrade scipy to 1.8.1"), so the numbers
 * insightface reports are 1.8's. There, `make_interp_spline(x, y, k=1)` returns the degree-1 B-spline with knots
 * `[x₀, x₀ … x_{m−1}, x_{m−1}]` and coefficients y, and evaluating it (`_bspl.evaluate_spline`) finds the knot
 * interval by `find_interval` — the last interval whose left knot is ≤ at, so among repeated x the last one — and
 * weighs its two ends by de Boor's recursion, which yields 0 on an empty interval. This follows that arithmetic
 * operation by operation so that thresholds match bit for bit.
 */

/**
 * x must be non-decreasing (interp1d's stable sort leaves such x, and the y beside it, in place); at must lie in
 * [x₀, x_{m−1}], where interp1d's default bounds_error raises otherwise.
 */
export function slinear(x: ArrayLike<number>, y: ArrayLike<number>, at: number): number {
  const m = x.length;
  if (m < 2 || y.length !== m) throw new RangeError(`slinear needs ≥ 2 points and one y per x (got ${m}, ${y.length})`);
  for (let k = 1; k < m; k++) if (x[k]! < x[k - 1]!) throw new RangeError(`x decreases at ${k}`);
  if (!(at >= x[0]! && at <= x[m - 1]!)) throw new RangeError(`${at} is outside the interpolation range`);
  // find_interval on the knots, written over x: i is the right end of the interval, x[i−1] ≤ at < x[i], except
  // that the search stops at the last point.
  let i = 1;
  while (i !== m - 1 && at >= x[i]!) i++;
  const xa = x[i - 1]!;
  const xb = x[i]!;
  if (xb === xa) return 0;
  const w = 1 / (xb - xa);
  return 0 + y[i - 1]! * (w * (xb - at)) + y[i]! * (w * (at - xa));
}
