/**
 * The forward process as a frozen table: computed once from the config, never mutated.
 *
 * Notation (timesteps t = 1…T; index 0 is the clean image):
 *   β_t           noise added at step t               linear: β₁ … β_T evenly spaced (DDPM)
 *   α_t = 1 − β_t                                     cosine: ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2),
 *   ᾱ_t = Π_{s≤t} α_s,  ᾱ_0 = 1                              s = 0.008, β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999)
 *   q(x_t | x_0) = N(√ᾱ_t·x_0, (1 − ᾱ_t)·I)           (DDPM Eq. 4)
 *   w_t = 0.5·(1 − 1/(1 + exp(−t/T)))                 the ID³ loss's inner-product weight λ_t·κ_{x_t} (Eq. 3)
 */

export interface DiffusionConfig {
  timesteps: number;
  schedule: 'linear' | 'cosine';
  betaStart: number;
  betaEnd: number;
}

export function defaultDiffusionConfig(): DiffusionConfig {
  return { timesteps: 1000, schedule: 'linear', betaStart: 1e-4, betaEnd: 0.02 };
}

/** The job's spec.diffusion (admitted, i.e. defaulted) → the schedule's config. */
export function diffusionFromSpec(spec: DiffusionConfig): DiffusionConfig {
  return { timesteps: spec.timesteps, schedule: spec.schedule, betaStart: spec.betaStart, betaEnd: spec.betaEnd };
}

export interface NoiseSchedule {
  readonly config: DiffusionConfig;
  readonly T: number;
  /** Index t = 0…T; betas[0] = 0. */
  readonly betas: Float64Array;
  readonly alphas: Float64Array;
  /** ᾱ_t; alphaBar[0] = 1. */
  readonly alphaBar: Float64Array;
}

const COSINE_OFFSET = 0.008;
const MAX_BETA = 0.999;

function linearBetas(c: DiffusionConfig): Float64Array {
  const betas = new Float64Array(c.timesteps + 1);
  for (let t = 1; t <= c.timesteps; t++) {
    betas[t] = c.betaStart + ((c.betaEnd - c.betaStart) * (t - 1)) / (c.timesteps - 1);
  }
  return betas;
}

function cosineBetas(c: DiffusionConfig): Float64Array {
  const f = (t: number) => Math.cos(((t / c.timesteps + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
  const betas = new Float64Array(c.timesteps + 1);
  for (let t = 1; t <= c.timesteps; t++) betas[t] = Math.min(1 - f(t) / f(t - 1), MAX_BETA);
  return betas;
}

export function makeSchedule(config: DiffusionConfig): NoiseSchedule {
  if (!Number.isInteger(config.timesteps) || config.timesteps < 2) {
    throw new RangeError(`timesteps must be an integer ≥ 2, got ${config.timesteps}`);
  }
  const betas = config.schedule === 'cosine' ? cosineBetas(config) : linearBetas(config);
  const T = config.timesteps;
  const alphas = new Float64Array(T + 1);
  const alphaBar = new Float64Array(T + 1);
  alphas[0] = 1;
  alphaBar[0] = 1;
  for (let t = 1; t <= T; t++) {
    alphas[t] = 1 - betas[t]!;
    alphaBar[t] = alphaBar[t - 1]! * alphas[t]!;
  }
  return Object.freeze({ config: Object.freeze({ ...config }), T, betas, alphas, alphaBar });
}

/** w_t of the ID³ loss (Eq. 3): 0.25 at t = 0, 0.5·(1 − σ(1)) ≈ 0.1345 at t = T. */
export function wT(t: number, T: number): number {
  return 0.5 * (1 - 1 / (1 + Math.exp(-t / T)));
}

/**
 * K sampling timesteps from T down to 1, evenly spaced (rounded), with their predecessors: [{ t, tPrev }], where the
 * last tPrev is 0 (the clean image). K = T gives every step of the chain, i.e. exact DDPM.
 */
export function respacedTimesteps(T: number, steps: number): { t: number; tPrev: number }[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > T)
    throw new RangeError(`steps must be in [1, ${T}], got ${steps}`);
  const ts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = steps === 1 ? T : Math.round(1 + ((T - 1) * i) / (steps - 1));
    if (ts.at(-1) !== t) ts.push(t);
  }
  ts.reverse();
  return ts.map((t, i) => ({ t, tPrev: ts[i + 1] ?? 0 }));
}
