/**
 * The "data" embedding space of Algorithm 3 (SyntheticDatasetJob.spec.embeddingSpace: data). The paper draws anchors and
 * Eq. 9 embeddings on the encoder's unit hypersphere, which presumes the encoder's embeddings fill it. A small encoder's
 * do not (the bundled 128-d encoder's training embeddings have an effective dimension of about 15; a random direction
 * is at cosine 0.28 from the nearest of them), and a model conditioned only on real embeddings answers an
 * off-distribution condition with noise. Here the planner works on the unit sphere of whitened coordinates w and maps
 * each point into the encoder's space by the training embeddings' mean μ and covariance Σ = LLᵀ:
 *
 *   y = normalise(μ + L·s·w),   s = max(√d, |L⁻¹μ| / 0.8)
 *
 * √d gives s·w the squared length of a standard normal vector. The floor keeps the origin well inside the ellipsoid
 * μ + s·L·(unit ball) (|(sL)⁻¹μ| ≤ 0.8), so every ray from the origin crosses its surface once and the map is
 * one-to-one; with the mean far out relative to the spread, two directions on the sphere could otherwise land on one
 * ray, i.e. one identity. The price is a spread a little wider than the data's where the floor applies.
 *
 * For an encoder whose embeddings do fill the sphere (μ ≈ 0, Σ ≈ I/d) this is close to the identity map, so the
 * choice matters only where the paper's assumption fails. Separation (Tammes) and the Eq. 9 cone are achieved in the
 * whitened coordinates, i.e. relative to how the training identities spread.
 */

export interface EmbeddingSpace {
  /** Embedding size d. */
  dim: number;
  /** Training embeddings it was fitted on. */
  count: number;
  /** μ, d values. */
  mean: Float32Array;
  /** L, the lower-triangular Cholesky factor of the (slightly regularised) covariance, d × d row-major. */
  chol: Float32Array;
}

/** Relative ridge added to the covariance's diagonal: directions with no variance stay usable, barely. */
const RIDGE = 1e-4;

/** Fits μ and L on n embeddings (rows of `y`, n × d). */
export function fitEmbeddingSpace(y: Float32Array, d: number): EmbeddingSpace {
  const n = y.length / d;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`need at least two embeddings of size ${d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += y[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = y[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = 0; b <= a; b++) cov[a * d + b]! += ra * row[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) trace += cov[a * d + a]! / (n - 1);
  const ridge = (RIDGE * trace) / d;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) cov[a * d + b] = cov[a * d + b]! / (n - 1) + (a === b ? ridge : 0);
  }
  return { dim: d, count: n, mean: Float32Array.from(mean), chol: Float32Array.from(cholesky(cov, d)) };
}

/** Lower-triangular L with LLᵀ = A (A symmetric positive definite; only its lower triangle is read). */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`covariance is not positive definite (pivot ${i} is ${s})`);
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j]!;
      }
    }
  }
  return l;
}

/** Maps rows of whitened unit vectors (n × d) into the encoder's space, each normalised to unit length. */
export function toEmbeddingSpace(space: EmbeddingSpace, w: Float32Array): Float32Array {
  const d = space.dim;
  if (w.length % d !== 0) throw new RangeError(`rows of ${d} expected, got ${w.length} values`);
  const out = new Float32Array(w.length);
  const scale = mapScale(space);
  const v = new Float64Array(d);
  for (let r = 0; r < w.length / d; r++) {
    let norm = 0;
    for (let i = 0; i < d; i++) {
      let s = space.mean[i]!;
      for (let k = 0; k <= i; k++) s += space.chol[i * d + k]! * scale * w[r * d + k]!;
      v[i] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) out[r * d + i] = v[i]! / norm;
  }
  return out;
}

/** Largest |(sL)⁻¹μ| the map allows: how far from the ellipsoid's centre, in its radii, the origin may lie. */
const MAX_ORIGIN_OFFSET = 0.8;

/** s of the map: √d, or |L⁻¹μ| / 0.8 where the mean lies further out (see the module comment). */
export function mapScale(space: EmbeddingSpace): number {
  const d = space.dim;
  const z = new Float64Array(d);
  let r2 = 0;
  for (let i = 0; i < d; i++) {
    let s = space.mean[i]!;
    for (let k = 0; k < i; k++) s -= space.chol[i * d + k]! * z[k]!;
    z[i] = s / space.chol[i * d + i]!;
    r2 += z[i]! ** 2;
  }
  return Math.max(Math.sqrt(d), Math.sqrt(r2) / MAX_ORIGIN_OFFSET);
}

/** The file form stored beside a checkpoint: μ then L, float32. */
export function embeddingSpaceBytes(space: EmbeddingSpace): Uint8Array {
  const all = new Float32Array(space.dim + space.dim * space.dim);
  all.set(space.mean, 0);
  all.set(space.chol, space.dim);
  return new Uint8Array(all.buffer);
}

export function embeddingSpaceFromBytes(bytes: Uint8Array, dim: number, count: number): EmbeddingSpace {
  const copy = bytes.slice();
  const all = new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  if (all.length !== dim + dim * dim)
    throw new RangeError(`embedding space file holds ${all.length} values, not ${dim}·(1+${dim})`);
  return { dim, count, mean: all.slice(0, dim), chol: all.slice(dim) };
}
