import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * A worker's Prometheus metrics (`id3_worker_…`), served on --metrics-port while the task runs. Labels stay few and
 * bounded: the job, the stage and the task index, set once per process as default labels.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly imagesGenerated: Counter;
  readonly samplingSeconds: Histogram;
  readonly trainingSteps: Counter;
  readonly trainingStepSeconds: Histogram;
  readonly trainingLoss: Gauge;
  readonly imagesEmbedded: Counter;
  readonly storageErrors: Counter<'operation'>;
  readonly progressRatio: Gauge;
  readonly taskInfo: Gauge<'backend' | 'device'>;

  /**
   * `id3_job` names the id3 job: a plain `job` label would overwrite Prometheus' own scrape `job` under the
   * PodMonitor's honorLabels, and the operator's alerts join on that one.
   */
  constructor(labels: { id3_job: string; namespace: string; stage: string; task: string }) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, prefix: 'id3_worker_' });
    // Gauges named like counters, which promtool's lint rejects (as in the operator's registry).
    for (const k of ['handles', 'requests', 'resources'])
      this.registry.removeSingleMetric(`id3_worker_nodejs_active_${k}_total`);
    const registers = [this.registry];
    this.imagesGenerated = new Counter({
      name: 'id3_worker_images_generated_total',
      help: 'Images generated and committed to storage',
      registers,
    });
    this.samplingSeconds = new Histogram({
      name: 'id3_worker_sampling_seconds_per_image',
      help: 'Wall-clock sampling time per image (batch time divided by batch size)',
      buckets: [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100],
      registers,
    });
    this.trainingSteps = new Counter({
      name: 'id3_worker_training_steps_total',
      help: 'Optimiser steps taken by this process',
      registers,
    });
    this.trainingStepSeconds = new Histogram({
      name: 'id3_worker_training_step_seconds',
      help: 'Wall-clock time per training step',
      buckets: [0.01, 0.03, 0.1, 0.3, 1, 3, 10],
      registers,
    });
    this.trainingLoss = new Gauge({
      name: 'id3_worker_training_loss',
      help: 'Training loss averaged over the last logging window',
      registers,
    });
    this.imagesEmbedded = new Counter({
      name: 'id3_worker_images_embedded_total',
      help: 'Training images decoded and embedded by the prepare stage',
      registers,
    });
    this.storageErrors = new Counter({
      name: 'id3_worker_storage_errors_total',
      help: 'Storage operations that failed after retries',
      labelNames: ['operation'],
      registers,
    });
    this.progressRatio = new Gauge({
      name: 'id3_worker_progress_ratio',
      help: 'Share of this task done, 0 to 1',
      registers,
    });
    this.taskInfo = new Gauge({
      name: 'id3_worker_task_info',
      help: 'Always 1; labels describe the task, the compute backend and the device it computes on',
      labelNames: ['backend', 'device'],
      registers,
    });
  }
}
