/**
 * The local runner behind `id3 run`: plans which jobs run in what order (runner/jobs.ts), runs each stage's
 * unfinished tasks as worker processes with the operator's retry rules (runner/pool.ts, runner/run.ts), and shows
 * progress (runner/view.ts). A control plane for one machine, built on the same workflow code as the operator.
 */
export { type JobSource, planRun, type RunJob, type RunOptions, RunPlanError } from './jobs.ts';
export { runTasks, type TaskLaunch, type TaskOutcome } from './pool.ts';
export { PreflightError, preflight } from './preflight.ts';
export { type JobResult, type LocalRunOptions, runLocal } from './run.ts';
export { createView, formatSeconds, type ProgressView } from './view.ts';
