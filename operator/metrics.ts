import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueMetrics } from './queue.ts';

/**
 * The operator's Prometheus metrics. Controller and work-queue metrics use controller-runtime's and client-go's names
 * and labels, so existing dashboards and alerts for Kubernetes controllers work unchanged; job metrics are `id3_`.
 */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrent: Gauge<'controller'>;
  readonly leader: Gauge<'name'>;
  readonly jobs: Gauge<'kind' | 'phase'>;
  readonly jobProgress: Gauge<'namespace' | 'name' | 'kind'>;
  readonly jobEta: Gauge<'namespace' | 'name' | 'kind'>;
  readonly jobImagesRate: Gauge<'namespace' | 'name'>;
  readonly jobFailures: Counter<'kind' | 'reason'>;
  readonly apiRequests: Counter<'verb' | 'resource' | 'code'>;
  readonly informerRestarts: Counter<'resource'>;
  private readonly queue: {
    depth: Gauge<'name'>;
    adds: Counter<'name'>;
    queueDuration: Histogram<'name'>;
    workDuration: Histogram<'name'>;
    retries: Counter<'name'>;
    longestRunning: Gauge<'name'>;
  };

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: wiring, one declaration per metric
  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    dropLintFailingDefaults(this.registry);
    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrent = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.leader = new Gauge({
      name: 'leader_election_master_status',
      help: 'Whether this replica is the leader (1) or not (0)',
      labelNames: ['name'],
      registers,
    });
    this.jobs = new Gauge({
      name: 'id3_jobs',
      help: 'Jobs by kind and phase',
      labelNames: ['kind', 'phase'],
      registers,
    });
    this.jobProgress = new Gauge({
      name: 'id3_job_progress_ratio',
      help: 'Share of a job done (images or training steps), 0 to 1',
      labelNames: ['namespace', 'name', 'kind'],
      registers,
    });
    this.jobEta = new Gauge({
      name: 'id3_job_eta_seconds',
      help: 'Estimated seconds until the running stage of a job finishes',
      labelNames: ['namespace', 'name', 'kind'],
      registers,
    });
    this.jobImagesRate = new Gauge({
      name: 'id3_job_images_per_second',
      help: 'Recent image generation rate of a dataset job over all workers',
      labelNames: ['namespace', 'name'],
      registers,
    });
    this.jobFailures = new Counter({
      name: 'id3_job_failures_total',
      help: 'Jobs that failed, by kind and reason',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'id3_operator_api_requests_total',
      help: 'Kubernetes API requests made by the operator',
      labelNames: ['verb', 'resource', 'code'],
      registers,
    });
    this.informerRestarts = new Counter({
      name: 'id3_operator_informer_restarts_total',
      help: 'Informers restarted after an error or a stall',
      labelNames: ['resource'],
      registers,
    });
    this.queue = {
      depth: new Gauge({
        name: 'workqueue_depth',
        help: 'Current depth of workqueue',
        labelNames: ['name'],
        registers,
      }),
      adds: new Counter({
        name: 'workqueue_adds_total',
        help: 'Total number of adds handled by workqueue',
        labelNames: ['name'],
        registers,
      }),
      queueDuration: new Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested',
        labelNames: ['name'],
        buckets: [0.001, 0.01, 0.1, 1, 10, 60],
        registers,
      }),
      workDuration: new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes',
        labelNames: ['name'],
        buckets: [0.001, 0.01, 0.1, 1, 10, 60],
        registers,
      }),
      retries: new Counter({
        name: 'workqueue_retries_total',
        help: 'Total number of retries handled by workqueue',
        labelNames: ['name'],
        registers,
      }),
      longestRunning: new Gauge({
        name: 'workqueue_longest_running_processor_seconds',
        help: 'How many seconds has the longest running processor for workqueue been running',
        labelNames: ['name'],
        registers,
      }),
    };
  }

  /**
   * Series that exist from the start, as controller-runtime creates them: dashboards and alerts see 0 rather than
   * no data, and a standby replica reports that it is not the leader.
   */
  initialise(controller: string, queue: string, leaseName?: string): void {
    for (const result of ['success', 'error', 'requeue', 'requeue_after'])
      this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.activeWorkers.set({ controller }, 0);
    for (const resource of ['syntheticdatasetjobs', 'id3trainingjobs', 'jobs', 'pods'])
      this.informerRestarts.inc({ resource }, 0);
    this.forQueue(queue).depth(0);
    this.forQueue(queue).longestRunning(0);
    if (leaseName) this.leader.set({ name: leaseName }, 0);
  }

  forQueue(name: string): QueueMetrics & { longestRunning(seconds: number): void } {
    const q = this.queue;
    return {
      added: () => q.adds.inc({ name }),
      depth: (n) => q.depth.set({ name }, n),
      queued: (s) => q.queueDuration.observe({ name }, s),
      worked: (s) => q.workDuration.observe({ name }, s),
      retried: () => q.retries.inc({ name }),
      longestRunning: (s) => q.longestRunning.set({ name }, s),
    };
  }
}

/**
 * prom-client's nodejs_active_{handles,requests,resources}_total are gauges named like counters, which promtool's
 * lint rejects; the process_* and nodejs_* series that remain carry the same health information.
 */
export function dropLintFailingDefaults(registry: Registry, prefix = ''): void {
  for (const k of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`${prefix}nodejs_active_${k}_total`);
}
