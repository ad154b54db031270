import { type Id3Job, KIND_DATASET, type SyntheticDatasetJob } from '../api/index.ts';
import type { OperatorMetrics } from './metrics.ts';

/**
 * Job-level gauges, recomputed from the informer cache: counts by phase, and per job its progress, rate and ETA.
 * Recomputed whole each time, so deleted jobs disappear from the series.
 */
export interface JobGauge {
  namespace: string;
  name: string;
  kind: string;
  phase: string;
  progressRatio: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
}

export function jobGauges(jobs: readonly Id3Job[]): JobGauge[] {
  return jobs.map((job) => {
    const base = {
      namespace: job.metadata.namespace ?? '',
      name: job.metadata.name,
      kind: job.kind,
      phase: job.status?.phase ?? 'Pending',
    };
    const progressRatio = Number.parseInt(job.status?.progress ?? '0', 10) / 100 || 0;
    if (job.kind !== KIND_DATASET) {
      const s = job.status;
      const left = (job.spec.training.steps ?? 0) - (s?.step ?? 0);
      const eta = s?.stepsPerSecond ? left / s.stepsPerSecond : undefined;
      return { ...base, progressRatio, ...(eta !== undefined && s?.phase === 'Training' ? { etaSeconds: eta } : {}) };
    }
    const s = (job as SyntheticDatasetJob).status;
    const rate = s?.imagesPerSecond;
    const eta = rate && s?.imagesTotal !== undefined ? (s.imagesTotal - (s.imagesDone ?? 0)) / rate : undefined;
    return {
      ...base,
      progressRatio,
      ...(rate !== undefined ? { imagesPerSecond: rate } : {}),
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
    };
  });
}

export function publishJobGauges(metrics: OperatorMetrics, jobs: readonly Id3Job[]): void {
  const gauges = jobGauges(jobs);
  metrics.jobs.reset();
  metrics.jobProgress.reset();
  metrics.jobEta.reset();
  metrics.jobImagesRate.reset();
  for (const g of gauges) {
    metrics.jobs.inc({ kind: g.kind, phase: g.phase });
    const id = { namespace: g.namespace, name: g.name, kind: g.kind };
    metrics.jobProgress.set(id, g.progressRatio);
    if (g.etaSeconds !== undefined) metrics.jobEta.set(id, g.etaSeconds);
    if (g.imagesPerSecond !== undefined)
      metrics.jobImagesRate.set({ namespace: g.namespace, name: g.name }, g.imagesPerSecond);
  }
}
