/**
 * Algorithm 3, step 2 (Eq. 9): m identity embeddings around each anchor w_i,
 *   u_ij ~ U[lb, ub],  v_ij a random unit vector orthogonal to w_i,  y_ij = u_ij·w_i + √(1 − u_ij²)·v_ij,
 * so that cos(y_ij, w_ij) = u_ij exactly and ‖y_ij‖ = 1. u_ij comes from stream (seed, i, j, embeddingCosine) and
 * v_ij from (seed, i, j, embeddingDirection): an identity's embeddings depend on its anchor and the seed alone, so
 * any shard computes its own identities without the others.
 */
import { fillNormal, PURPOSE, uniforms } from '../../random/index.ts';

export interface EmbeddingConfig {
  seed: number;
  /** m. */
  perIdentity: number;
  lb: number;
  ub: number;
}

/** The m embeddings of identity `identity` around its anchor `w` (length d), row-major [m × d]. */
export function identityEmbeddings(w: ArrayLike<number>, identity: number, cfg: EmbeddingConfig): Float32Array {
  const d = w.length;
  const anchor = Float64Array.from(w);
  const wNorm = Math.sqrt(anchor.reduce((s, v) => s + v * v, 0));
  for (let k = 0; k < d; k++) anchor[k]! /= wNorm;
  const out = new Float32Array(cfg.perIdentity * d);
  const v = new Float64Array(d);
  for (let j = 0; j < cfg.perIdentity; j++) {
    const key = { seed: cfg.seed, a: identity, b: j };
    const u = cfg.lb + (cfg.ub - cfg.lb) * uniforms({ ...key, purpose: PURPOSE.embeddingCosine }, 1)[0]!;
    fillNormal({ ...key, purpose: PURPOSE.embeddingDirection }, v);
    const along = v.reduce((s, x, k) => s + x * anchor[k]!, 0);
    for (let k = 0; k < d; k++) v[k]! -= along * anchor[k]!;
    const vNorm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const side = Math.sqrt(1 - u * u);
    for (let k = 0; k < d; k++) out[j * d + k] = u * anchor[k]! + (side * v[k]!) / vNorm;
  }
  return out;
}

/** Embeddings of identities [start, end) given all anchors (row-major [N × d]): [(end − start)·m × d]. */
export function planEmbeddings(
  anchors: Float32Array,
  d: number,
  range: { start: number; end: number },
  cfg: EmbeddingConfig,
): Float32Array {
  const m = cfg.perIdentity;
  const out = new Float32Array((range.end - range.start) * m * d);
  for (let i = range.start; i < range.end; i++) {
    out.set(identityEmbeddings(anchors.subarray(i * d, (i + 1) * d), i, cfg), (i - range.start) * m * d);
  }
  return out;
}
