/**
 * Configs of training and sampling, built from the job specs (the one source of every hyper-parameter) plus the few
 * choices the CRDs leave to the implementation, each named here with its default so that checkpoints and dataset
 * cards record it.
 */
import type { ID3TrainingJobSpecTraining, SamplerSpec } from '../../api/index.ts';
import type { DdpmVariance, SamplerType } from './scheduler.ts';

/**
 * The hyper-parameters of one training step, named and documented as the CRD names them (the type is derived from the
 * generated spec type, so the two cannot drift), plus the loss reduction, which the CRD does not expose.
 */
export type TrainingConfig = Pick<
  ID3TrainingJobSpecTraining,
  | 'batchSize'
  | 'learningRate'
  | 'warmupSteps'
  | 'weightDecay'
  | 'beta1'
  | 'beta2'
  | 'epsilon'
  | 'gradientClipNorm'
  | 'emaDecay'
  | 'idLossWeight'
  | 'reconstructionWeight'
  | 'seed'
> & {
  /**
   * ‖ε − ε_θ‖² and ‖x₀ − x̂₀‖² as means over pixels (DDPM's L_simple, as implemented everywhere) rather than sums, so
   * that w_id keeps the same meaning at every resolution. Recorded, not configurable by the CRD.
   */
  reduction: 'mean';
};

export function defaultTrainingConfig(): TrainingConfig {
  return {
    batchSize: 16,
    learningRate: 1e-4,
    warmupSteps: 0,
    weightDecay: 0,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    gradientClipNorm: 1,
    emaDecay: 0.9999,
    idLossWeight: 1,
    reconstructionWeight: 0,
    seed: 0,
    reduction: 'mean',
  };
}

export function trainingFromSpec(spec: ID3TrainingJobSpecTraining): TrainingConfig {
  return {
    batchSize: spec.batchSize,
    learningRate: spec.learningRate,
    warmupSteps: spec.warmupSteps,
    weightDecay: spec.weightDecay,
    beta1: spec.beta1,
    beta2: spec.beta2,
    epsilon: spec.epsilon,
    gradientClipNorm: spec.gradientClipNorm,
    emaDecay: spec.emaDecay,
    idLossWeight: spec.idLossWeight,
    reconstructionWeight: spec.reconstructionWeight,
    seed: spec.seed,
    reduction: 'mean',
  };
}

export interface SamplerConfig {
  type: SamplerType;
  steps: number;
  /** DDIM only. */
  eta: number;
  /** s_id of Algorithm 2; 0 = no identity guidance (the paper's ablation). */
  guidanceScale: number;
  batchSize: number;
  /**
   * DDPM's σ²: 'posterior' (β̃_t, DDPM's "fixed small", which respaced chains need) or 'beta' (β_t, "fixed large").
   * Ho et al. report both alike at T = 1000.
   */
  variance: DdpmVariance;
  /**
   * Clip x̂₀ to [−1, 1] inside each update (the guidance term always clips, per the method page). On by default, as in
   * the reference DDPM sampler (clip_denoised): without it a model's stray x̂₀ at high t compounds and saturates.
   */
  clipPredX0: boolean;
}

export function defaultSamplerConfig(): SamplerConfig {
  return {
    type: 'DDIM',
    steps: 50,
    eta: 0,
    guidanceScale: 1,
    batchSize: 16,
    variance: 'posterior',
    clipPredX0: true,
  };
}

export function samplerFromSpec(
  spec: SamplerSpec,
  extra: Partial<Pick<SamplerConfig, 'variance' | 'clipPredX0'>> = {},
): SamplerConfig {
  const d = defaultSamplerConfig();
  return {
    type: spec.type,
    steps: spec.steps,
    eta: spec.eta,
    guidanceScale: spec.guidanceScale,
    batchSize: spec.batchSize,
    variance: extra.variance ?? d.variance,
    clipPredX0: extra.clipPredX0 ?? d.clipPredX0,
  };
}
