/**
 * Algorithm 3, step 1: N identity anchors on the unit sphere S^{d−1}, spread as far apart as possible (the Tammes
 * problem). Projected gradient descent on a smooth maximum of the pairwise cosines, renormalising every step.
 *
 * Notation: X = [x_1 … x_N] unit rows, c_ij = ⟨x_i, x_j⟩, τ the temperature.
 *   L(X)    = Σ_i τ·log Σ_{j≠i} exp(c_ij / τ)        each anchor's smooth nearest-neighbour cosine, summed
 *   p_ij    = exp(c_ij/τ − lse_i),  lse_i = log Σ_{j≠i} exp(c_ij/τ)       (row softmax)
 *   ∂L/∂x_i = Σ_j (p_ij + p_ji)·x_j
 *   x_i    ← normalise(x_i − η·(g_i − ⟨g_i, x_i⟩·x_i))                      (tangent step, then back to the sphere)
 * Summing (not averaging) over anchors keeps each anchor's step O(η) whatever N is. η starts at the configured
 * learning rate and halves whenever a step raised L (the step is then undone): a fixed η that suits 10k anchors in
 * 512 dimensions oscillates on small problems, and L comes for free from the first pass (L = τ·Σ_i lse_i).
 *
 * Memory is bounded by blocks: the N×N cosine matrix is only ever materialised B×B at a time. Each step makes two
 * passes over the block pairs (b ≤ c, using c_ij = c_ji): the first gathers lse_i by an online log-sum-exp, the second
 * accumulates the gradient. Only non-transposed products are used (X_b·X_cᵀ through stored transposed blocks), the
 * fast path of every tfjs backend. Memory: O(N·d + B²); work per step: 2.5·N²·d multiply-adds.
 */
import * as tf from '@tensorflow/tfjs';
import { fillNormal, PURPOSE } from '../../random/index.ts';

export interface TammesConfig {
  /** Gradient steps; 0 keeps the random start. */
  steps: number;
  temperature: number;
  learningRate: number;
  /** Rows per block (bounds memory at about 4·B² floats besides X). */
  blockSize: number;
}

export function defaultTammesConfig(): TammesConfig {
  return { steps: 200, temperature: 0.05, learningRate: 0.1, blockSize: 2048 };
}

/** spec.anchors (SyntheticDatasetJob) → the solver's config. */
export function tammesFromSpec(
  spec: { steps: number; temperature: number; learningRate: number },
  blockSize = defaultTammesConfig().blockSize,
): TammesConfig {
  return { steps: spec.steps, temperature: spec.temperature, learningRate: spec.learningRate, blockSize };
}

/** The random start: x_i ~ N(0, I_d) from stream (seed, i, 0, anchorInit), normalised. Row-major [n × d]. */
export function initialAnchors(n: number, d: number, seed: number): Float32Array {
  const out = new Float32Array(n * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    fillNormal({ seed, a: i, b: 0, purpose: PURPOSE.anchorInit }, row);
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    for (let k = 0; k < d; k++) out[i * d + k] = row[k]! / norm;
  }
  return out;
}

interface Blocks {
  rows: tf.Tensor2D[];
  /** The same blocks transposed, [d, B_b]. */
  cols: tf.Tensor2D[];
}

function toBlocks(x: tf.Tensor2D, blockSize: number): Blocks {
  const n = x.shape[0];
  const rows: tf.Tensor2D[] = [];
  const cols: tf.Tensor2D[] = [];
  for (let start = 0; start < n; start += blockSize) {
    const size = Math.min(blockSize, n - start);
    const r = x.slice([start, 0], [size, -1]);
    rows.push(r);
    cols.push(r.transpose());
  }
  return { rows, cols };
}

function disposeBlocks(b: Blocks): void {
  tf.dispose([...b.rows, ...b.cols]);
}

const MASKED = -1e9;
/** Below this the step is rounding noise: accept it rather than halve forever. */
const MIN_LEARNING_RATE = 1e-12;

/** c/τ for block pair (b, c), the diagonal masked out when b = c. */
function scaledCosines(blocks: Blocks, b: number, c: number, temperature: number): tf.Tensor2D {
  const cos = tf.matMul(blocks.rows[b]!, blocks.cols[c]!);
  const scaled = cos.div(temperature) as tf.Tensor2D;
  if (b !== c) return scaled;
  return scaled.add(tf.eye(scaled.shape[0]).mul(MASKED));
}

/** Pass 1: lse_i per row block, and the largest off-diagonal cosine. */
function rowLogSumExp(blocks: Blocks, temperature: number): { lse: tf.Tensor1D[]; maxCos: tf.Scalar } {
  const k = blocks.rows.length;
  const max: tf.Tensor1D[] = blocks.rows.map((r) => tf.fill([r.shape[0]], MASKED) as tf.Tensor1D);
  const sum: tf.Tensor1D[] = blocks.rows.map((r) => tf.zeros([r.shape[0]]) as tf.Tensor1D);
  let maxCos: tf.Scalar = tf.scalar(-1);
  const update = (i: number, s: tf.Tensor2D) => {
    const m = tf.maximum(max[i]!, s.max(1));
    const next = sum[i]!.mul(tf.exp(max[i]!.sub(m))).add(tf.exp(s.sub(m.expandDims(1))).sum(1));
    tf.dispose([max[i]!, sum[i]!]);
    max[i] = tf.keep(m) as tf.Tensor1D;
    sum[i] = tf.keep(next) as tf.Tensor1D;
  };
  for (let b = 0; b < k; b++) {
    for (let c = b; c < k; c++) {
      tf.tidy(() => {
        const s = scaledCosines(blocks, b, c, temperature);
        update(b, s);
        if (c !== b) update(c, s.transpose());
        const m = tf.keep(tf.maximum(maxCos, s.max().mul(temperature)) as tf.Scalar);
        maxCos.dispose();
        maxCos = m;
      });
    }
  }
  const lse = max.map((m, i) => tf.tidy(() => m.add(sum[i]!.log()) as tf.Tensor1D));
  tf.dispose([...max, ...sum]);
  return { lse, maxCos };
}

/** Pass 2: g_i = Σ_j (p_ij + p_ji)·x_j, per row block. */
function gradient(blocks: Blocks, lse: tf.Tensor1D[], temperature: number): tf.Tensor2D[] {
  const k = blocks.rows.length;
  const grad = blocks.rows.map((r) => tf.zerosLike(r) as tf.Tensor2D);
  // Column contributions accumulate transposed ([d, B_c]) so that every product stays non-transposed.
  const gradT = blocks.cols.map((c) => tf.zerosLike(c) as tf.Tensor2D);
  const add = (into: tf.Tensor2D[], i: number, t: tf.Tensor2D) => {
    const next = tf.keep(into[i]!.add(t) as tf.Tensor2D);
    into[i]!.dispose();
    into[i] = next;
  };
  for (let b = 0; b < k; b++) {
    for (let c = b; c < k; c++) {
      tf.tidy(() => {
        const s = scaledCosines(blocks, b, c, temperature);
        const w = tf.exp(s.sub(lse[b]!.expandDims(1))).add(tf.exp(s.sub(lse[c]!.expandDims(0)))) as tf.Tensor2D;
        add(grad, b, tf.matMul(w, blocks.rows[c]!));
        if (c !== b) add(gradT, c, tf.matMul(blocks.cols[b]!, w));
      });
    }
  }
  const out = grad.map((g, i) => tf.tidy(() => g.add(gradT[i]!.transpose()) as tf.Tensor2D));
  tf.dispose([...grad, ...gradT]);
  return out;
}

/** One projected step on every block; returns the new X (row-major, all blocks). */
function projectedStep(blocks: Blocks, grads: tf.Tensor2D[], lr: number): tf.Tensor2D {
  return tf.tidy(() => {
    const next = blocks.rows.map((x, i) => {
      const g = grads[i]!;
      const tangent = g.sub(x.mul(g.mul(x).sum(1, true)));
      const moved = x.sub(tangent.mul(lr));
      return moved.div(moved.norm('euclidean', 1, true));
    });
    return tf.concat(next, 0) as tf.Tensor2D;
  });
}

export interface TammesResult {
  /** Unit anchors, row-major [n × d]. */
  anchors: Float32Array;
  /** Largest pairwise cosine of the result (what the dataset card reports). */
  maxCosine: number;
  /** The same for the random start, for comparison. */
  initialMaxCosine: number;
}

/** The largest cosine between two different rows of unit vectors, blockwise. */
export async function maxPairwiseCosine(anchors: Float32Array, d: number, blockSize: number): Promise<number> {
  const x = tf.tensor2d(anchors, [anchors.length / d, d]);
  const blocks = toBlocks(x, blockSize);
  const { lse, maxCos } = rowLogSumExp(blocks, 1);
  const value = (await maxCos.data())[0]!;
  tf.dispose([x, maxCos, ...lse]);
  disposeBlocks(blocks);
  return value;
}

/** Solves for n anchors in d dimensions from the seed's random start. */
export async function solveTammes(
  n: number,
  d: number,
  seed: number,
  cfg: TammesConfig,
  onStep?: (step: number, maxCosine: number, learningRate: number) => void | Promise<void>,
): Promise<TammesResult> {
  if (n < 2) throw new RangeError(`Tammes needs at least 2 anchors, got ${n}`);
  let x = tf.tensor2d(initialAnchors(n, d, seed), [n, d]);
  let previous: { x: tf.Tensor2D; objective: number } | undefined;
  let lr = cfg.learningRate;
  let initialMaxCosine = Number.NaN;
  for (let step = 0; step < cfg.steps; step++) {
    const blocks = toBlocks(x, cfg.blockSize);
    const { lse, maxCos } = rowLogSumExp(blocks, cfg.temperature);
    const objectiveT = tf.tidy(() => tf.addN(lse.map((l) => l.sum())).mul(cfg.temperature));
    const [current, objective] = (await Promise.all([maxCos.data(), objectiveT.data()])).map((v) => v[0]!);
    objectiveT.dispose();
    if (step === 0) initialMaxCosine = current!;
    if (previous && objective > previous.objective && lr > MIN_LEARNING_RATE) {
      // Overshot: undo the last step and retry it with half the step size.
      tf.dispose([x, maxCos, ...lse]);
      disposeBlocks(blocks);
      x = previous.x;
      previous = undefined;
      lr /= 2;
      step--;
      continue;
    }
    const grads = gradient(blocks, lse, cfg.temperature);
    const next = projectedStep(blocks, grads, lr);
    tf.dispose([maxCos, ...lse, ...grads]);
    disposeBlocks(blocks);
    previous?.x.dispose();
    previous = { x, objective };
    x = next;
    await onStep?.(step, current, lr);
  }
  previous?.x.dispose();
  const anchors = (await x.data()) as Float32Array;
  x.dispose();
  const maxCosine = await maxPairwiseCosine(anchors, d, cfg.blockSize);
  return { anchors, maxCosine, initialMaxCosine: cfg.steps > 0 ? initialMaxCosine : maxCosine };
}
