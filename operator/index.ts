/**
 * The control plane on Kubernetes: informers on both kinds and on their child Jobs and Pods feed a work queue; each
 * reconcile observes a job's children, decides a plan with pure functions (reconcile/decide.ts: the stage Job to apply,
 * the status, the events, when to look again) and acts on it (reconcile/act.ts). Children come from a pure builder
 * (children/stage-job.ts); the Kubernetes API is reached only through kube/. Leader election, metrics with
 * controller-runtime's names, the job-storage client (progress reports, cleanup) and the process wiring complete it.
 */
export { buildStageJob, childLabels, childName, FIELD_MANAGER, type StageJobOptions } from './children/stage-job.ts';
export { Controller, type ControllerOptions } from './controller.ts';
export { jobGauges, publishJobGauges } from './job-metrics.ts';
export { type JobStorage, JobStorageClient, type JobStorageOptions } from './job-storage.ts';
export { KubeClient, KubeError, PLURAL } from './kube/client.ts';
export { ResilientInformer } from './kube/informer.ts';
export { LeaderElector, type LeaderOptions } from './leader.ts';
export { type OperatorHandle, type OperatorOptions, runOperator } from './main.ts';
export { OperatorMetrics } from './metrics.ts';
export { type Clock, systemClock, WorkQueue } from './queue.ts';
export { act, mergePatchFor } from './reconcile/act.ts';
export { type DecideOptions, decide, type Observed, type Plan } from './reconcile/decide.ts';
export { countPreemptions, observeStages } from './reconcile/observe.ts';
