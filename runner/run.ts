import { join } from 'node:path';
import type { Logger } from 'pino';
import { type ID3TrainingJob, type Id3Job, KIND_DATASET, type Stage, type WorkerEnv } from '../api/index.ts';
import { releaseDatasetHold } from '../io/checkpoints/index.ts';
import {
  clearMarkers,
  finishedTasks as markedTasks,
  readProgressReports,
  readPublishedOutputs,
  readRecordedStatus,
  writeRecordedStatus,
} from '../io/output/index.ts';
import { type Env, openStore, type Store } from '../io/storage/index.ts';
import { claimOutput } from '../io/tasks/index.ts';
import {
  aggregateProgress,
  computeEnv,
  computeStatus,
  type JobObservation,
  type StageObservation,
  type StageSpec,
  stageGraph,
  workerJob,
} from '../workflow/index.ts';
import type { RunJob } from './jobs.ts';
import { runTasks, type TaskLaunch, type TaskOutcome, type TaskWarnings } from './pool.ts';
import type { ProgressView } from './view.ts';

/**
 * The local runner: the same stages and worker code the operator schedules on a cluster, run on one machine. Each
 * stage's unfinished tasks (no completion marker) run as child processes; a run interrupted by Ctrl-C stops its
 * workers cleanly, and the same command later resumes from the markers without redoing finished work. The job's
 * status is computed by the shared workflow code and written beside its outputs (status/status.json).
 */

export interface LocalRunOptions {
  /** Most worker processes at once (the cores). */
  parallelism: number;
  /** Path of bin/id3.js, the command the workers run. */
  bin: string;
  logDir: string;
  env: Env;
  logger: Logger;
  view: ProgressView;
  signal: AbortSignal;
  pollMs?: number;
}

export interface JobResult {
  job: Id3Job;
  phase: string;
  seconds: number;
  stages: { stage: Stage; seconds: number; ran: number; skipped: number }[];
  failure?: string;
  /** The task refused its input (exit 65): retrying cannot help. */
  badInput?: boolean;
  logFile?: string;
  /** Warnings the tasks of this run logged, with where to read them. */
  warnings?: TaskWarnings[];
  outputs?: JobObservation['outputs'];
  status: object;
}

export async function runLocal(runs: readonly RunJob[], o: LocalRunOptions): Promise<JobResult[]> {
  const results: JobResult[] = [];
  for (const run of runs) {
    const result = await runJob(run, o);
    results.push(result);
    if (result.phase !== 'Succeeded') break;
  }
  return results;
}

async function runJob(given: RunJob, o: LocalRunOptions): Promise<JobResult> {
  const started = Date.now();
  const store = openStore(given.job.spec.output.uri, given.job.spec.storage, o.env);
  // The location becomes this job's before the runner writes its first status there (workers check it again).
  await claimOutput(store, workerJob(given.job, given.checkpointURI));
  // The status of an earlier run of the same job, so start time and condition history carry over a resume.
  const previous = await readRecordedStatus<NonNullable<Id3Job['status']>>(store).catch(() => undefined);
  const job = { ...given.job, ...(previous ? { status: previous } : {}) } as Id3Job;
  const run: RunJob = { ...given, job };
  const observed: StageObservation[] = [];
  const stages: JobResult['stages'] = [];
  const ran: TaskOutcome[] = [];
  const env = {
    ...o.env,
    ID3_JOB: JSON.stringify(workerJob(job, run.checkpointURI)),
    ID3_LOG_FORMAT: 'json',
  } satisfies Partial<Record<keyof typeof WorkerEnv | string, string>>;
  const graph = stageGraph(job);
  for (const [at, stage] of graph.entries()) {
    const t0 = Date.now();
    const done = await finishedTasks(store, stage.name, job);
    const todo = Array.from({ length: stage.tasks }, (_, i) => i).filter((i) => !done.has(i));
    // Work redone here makes what later stages made from it stale (a trainer whose steps were raised continues, so its
    // evaluation must run again): their markers go, and they run after it.
    if (todo.length) for (const later of graph.slice(at + 1)) await clearMarkers(store, later.name);
    // A stage whose size is not known up front (prepare counts images only as it finds them) is shown in tasks.
    o.view.stageStarted(job.metadata.name, stage.name, stage.total || stage.tasks, stage.total ? stage.unit : 'tasks');
    if (todo.length) {
      const tasks = { total: stage.tasks, succeeded: done.size, active: todo.length, failed: 0 };
      await writeStatus(run, store, [...observed, { name: stage.name, state: 'running', tasks }], o);
    }
    const outcomes = todo.length ? await runStage(job, stage, todo, env, store, o) : [];
    ran.push(...outcomes);
    const obs = stageObservation(stage, done, outcomes);
    observed.push(obs);
    stages.push({ stage: stage.name, seconds: (Date.now() - t0) / 1000, ran: todo.length, skipped: done.size });
    o.view.stageFinished(
      job.metadata.name,
      stage.name,
      obs.state === 'succeeded' ? 'done' : obs.state === 'failed' ? 'failed' : 'stopped',
    );
    if (obs.state !== 'succeeded') break;
  }
  return finish(run, store, observed, stages, started, ran, o);
}

async function runStage(
  job: Id3Job,
  stage: StageSpec,
  todo: number[],
  env: Env,
  store: Store,
  o: LocalRunOptions,
): Promise<TaskOutcome[]> {
  const stageEnv = { ...env, ...computeEnv(job, stage, { local: true }) };
  const launches: TaskLaunch[] = todo.map((task) => ({
    stage: stage.name,
    task,
    args: [o.bin, 'worker', stage.name, '--shard', String(task)],
    env: stageEnv as NodeJS.ProcessEnv,
    logFile: (attempt) =>
      join(o.logDir, job.metadata.name, `${stage.name}-${String(task).padStart(5, '0')}-${attempt}.log`),
  }));
  const poll = setInterval(() => void showProgress(job, stage, store, o), o.pollMs ?? 1000);
  try {
    return await runTasks(launches, {
      concurrency: Math.min(stage.parallelism, o.parallelism),
      backoffLimit: job.spec.backoffLimitPerTask,
      signal: o.signal,
    });
  } finally {
    clearInterval(poll);
    await showProgress(job, stage, store, o);
  }
}

/**
 * Tasks whose completion marker exists — except a trainer that stopped short of spec.training.steps (raised after it
 * finished): it continues from its last checkpoint.
 */
async function finishedTasks(store: Store, stage: Stage, job: Id3Job): Promise<Set<number>> {
  if (stage !== 'train') return markedTasks(store, stage);
  const steps = (job as ID3TrainingJob).spec.training.steps;
  return markedTasks(store, stage, (marker) => {
    const step = (marker as { summary?: { step?: number } } | undefined)?.summary?.step;
    return Number(step ?? 0) >= steps;
  });
}

async function showProgress(job: Id3Job, stage: StageSpec, store: Store, o: LocalRunOptions): Promise<void> {
  try {
    const reports = await readProgressReports(store, stage.name);
    const done = await finishedTasks(store, stage.name, job);
    const p = aggregateProgress(stage, reports, done, () => (stage.unit === 'tasks' ? 1 : 0), new Date());
    // In the stage's unit once its size is known (prepare learns it from its workers' first reports), else in tasks.
    const total = p.total || stage.total;
    if (stage.unit !== 'tasks' && total > 0)
      o.view.update(job.metadata.name, stage.name, p.done, total, p.rate, stage.unit);
    else
      o.view.update(
        job.metadata.name,
        stage.name,
        done.size,
        stage.tasks,
        stage.unit === 'tasks' ? p.rate : 0,
        'tasks',
      );
  } catch {
    // Progress is best effort; the run itself reports failures.
  }
}

/** Adds what the stage's workers reported (images or steps done) to its observation. */
async function stageProgress(job: Id3Job, s: StageObservation, store: Store): Promise<StageObservation> {
  const spec = stageGraph(job).find((g) => g.name === s.name);
  if (!spec) return s;
  const reports = await readProgressReports(store, s.name).catch(() => []);
  const done = await finishedTasks(store, s.name, job);
  return { ...s, progress: aggregateProgress(spec, reports, done, () => (spec.unit === 'tasks' ? 1 : 0), new Date()) };
}

function stageObservation(stage: StageSpec, done: Set<number>, outcomes: TaskOutcome[]): StageObservation {
  const succeeded = done.size + outcomes.filter((x) => x.result === 'done').length;
  const failed = outcomes.find((x) => x.result === 'failed');
  const tasks = { total: stage.tasks, succeeded, active: 0, failed: failed ? 1 : 0 };
  if (failed && failed.result === 'failed') {
    const reason = failed.badInput ? 'BadInput' : 'BackoffLimitExceeded';
    return {
      name: stage.name,
      state: 'failed',
      tasks,
      failure: { reason, message: `${stage.name} task ${failed.task}: ${failed.message}` },
    };
  }
  return { name: stage.name, state: succeeded === stage.tasks ? 'succeeded' : 'running', tasks };
}

/**
 * Computes and writes status/status.json from what the run has seen, as the operator writes it on each reconcile,
 * and keeps it on `run.job` so that the next write carries start time and condition transitions over.
 */
async function writeStatus(
  run: RunJob,
  store: Store,
  stages: readonly StageObservation[],
  o: LocalRunOptions,
): Promise<{ status: ReturnType<typeof computeStatus>; outputs?: JobObservation['outputs'] }> {
  const outputs = await readPublishedOutputs<NonNullable<JobObservation['outputs']>>(store).catch(() => undefined);
  const checkpoint = run.checkpointURI ? { checkpointURI: run.checkpointURI } : {};
  const trainReport = (await readProgressReports(store, 'train').catch(() => [])).find((r) => r.train);
  const withProgress = await Promise.all(stages.map((s) => stageProgress(run.job, s, store)));
  const obs: JobObservation = {
    stages: withProgress,
    suspended: false,
    outputs: { ...checkpoint, ...outputs },
    ...(trainReport?.train ? { train: trainReport.train } : {}),
    preemptions: withProgress.reduce((n, s) => n + (s.progress?.preemptions ?? 0), 0),
  };
  const status = computeStatus(run.job, obs, new Date());
  run.job = { ...run.job, status } as Id3Job;
  await writeRecordedStatus(store, status).catch((err: unknown) =>
    o.logger.warn({ err: String(err) }, 'could not write status'),
  );
  return { status, ...(outputs ? { outputs } : {}) };
}

async function finish(
  run: RunJob,
  store: Store,
  stages: StageObservation[],
  timings: JobResult['stages'],
  started: number,
  outcomes: TaskOutcome[],
  o: LocalRunOptions,
): Promise<JobResult> {
  const { status, outputs } = await writeStatus(run, store, stages, o);
  // Finalize releases the planned checkpoint's hold after its done marker; a finalize stopped between the two is not
  // run again here, so a finished dataset job releases it here too (idempotent).
  if (run.job.kind === KIND_DATASET && status.phase === 'Succeeded') {
    const open = (uri: string) => openStore(uri, run.job.spec.storage, o.env);
    await releaseDatasetHold(store, open, (obj, msg) => o.logger.warn(obj, msg)).catch((err: unknown) =>
      o.logger.warn({ err: String(err) }, 'could not release the hold on the planned checkpoint'),
    );
  }
  const failed = outcomes.find((x) => x.result === 'failed');
  const warnings = outcomes.flatMap((x) => (x.result === 'done' && x.warnings ? [x.warnings] : []));
  return {
    job: run.job,
    phase: o.signal.aborted && status.phase !== 'Succeeded' ? 'Interrupted' : (status.phase ?? 'Pending'),
    seconds: (Date.now() - started) / 1000,
    stages: timings,
    status,
    ...(failed?.result === 'failed'
      ? { failure: failed.message, badInput: failed.badInput, logFile: failed.logFile }
      : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(outputs ? { outputs } : {}),
  };
}
