/**
 * The worker runtime: everything a stage needs around its maths — the task context (job, task index, storage,
 * logger, metrics, a cooperative stop on SIGTERM, progress reports at a bounded rate), the HTTP server for /metrics,
 * and the one translation of errors into the worker exit codes (0 done, 65 bad input, 75 stopped with state saved).
 */
export { PreemptedError } from './errors.ts';
export { WorkerMetrics } from './metrics.ts';
export { type ProgressOptions, ProgressReporter } from './progress.ts';
export { runWorker, type StageRunner, type TaskContext, type WorkerOptions } from './task.ts';
