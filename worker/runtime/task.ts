import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  admitOrThrow,
  describeError,
  EXIT_OK,
  EXIT_RETRY,
  errorKind,
  exitCodeFor,
  type Id3Job,
  isJobKind,
  PermanentInputError,
  parseManifests,
  type Stage,
} from '../../api/index.ts';
import { startServer } from '../../io/http/index.ts';
import { type Env, openStore, type Store } from '../../io/storage/index.ts';
import { claimOutput } from '../../io/tasks/index.ts';
import { type ProgressUnit, resolveJobPaths, stageGraph } from '../../workflow/index.ts';
import { PreemptedError } from './errors.ts';
import { instrumentedStore } from './instrumented-store.ts';
import { WorkerMetrics } from './metrics.ts';
import { ProgressReporter } from './progress.ts';
import { signalAction } from './signals.ts';

/**
 * Running one worker task: read the job (a file, or the ID3_JOB variable in a pod), check it exactly as the API server
 * would, find the task index, open storage, serve /metrics, turn SIGTERM into a cooperative stop, run the stage, and
 * translate the outcome into the exit-code contract (0 done, 65 bad input, 75 stopped with state saved, 1 failed).
 */

export interface TaskContext {
  job: Id3Job;
  stage: Stage;
  task: number;
  /** The job's output root. */
  store: Store;
  /** Opens another URI (a checkpoint, an encoder, a dataset) with the job's storage settings. */
  open(uri: string): Store;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Aborted on SIGTERM: finish the unit of work in hand, save state, then throw `stopped()`. */
  signal: AbortSignal;
  stopped(): PreemptedError;
  /** A progress reporter for this task, written to the output store at a bounded rate. */
  progress(unit: ProgressUnit, total: number): ProgressReporter;
  env: Env;
}

export type StageRunner = (ctx: TaskContext) => Promise<void>;

export interface WorkerOptions {
  stage: string;
  /** A YAML/JSON job file; else `env.ID3_JOB`. */
  jobFile?: string;
  task?: number;
  metricsPort?: number;
  env: Env;
  logger: Logger;
  stages: Partial<Record<Stage, StageRunner>>;
  /** Where Kubernetes reads a failed container's last words. */
  terminationLog?: string;
  /** Ends the process at once (a second stop request); the CLI's process.exit. */
  exitNow: (code: number) => void;
}

export async function runWorker(o: WorkerOptions): Promise<number> {
  const abort = new AbortController();
  let first: { signal: string; at: number } | undefined;
  const onSignal = (signal: string) => {
    const action = signalAction(first, signal, Date.now());
    if (action === 'ignore') return;
    o.logger.warn(
      { signal },
      action === 'stop' ? 'asked to stop: finishing the work in hand and saving state' : 'asked again: stopping now',
    );
    if (action === 'stop') {
      first = { signal, at: Date.now() };
      abort.abort();
    } else o.exitNow(EXIT_RETRY);
  };
  const handlers = { SIGTERM: () => onSignal('SIGTERM'), SIGINT: () => onSignal('SIGINT') };
  process.on('SIGTERM', handlers.SIGTERM).on('SIGINT', handlers.SIGINT);
  let server: Server | undefined;
  try {
    const ctx = prepareTask(o, abort.signal);
    const run = o.stages[ctx.stage];
    if (!run) throw new PermanentInputError(`this worker cannot run stage ${ctx.stage}`);
    if (o.metricsPort !== undefined) {
      server = await startServer(`0.0.0.0:${o.metricsPort}`, ctx.metrics.registry, {
        healthy: () => true,
        ready: () => true,
      });
    }
    ctx.logger.info({ kind: ctx.job.kind }, 'task started');
    await claimOutput(ctx.store, ctx.job);
    await run(ctx);
    ctx.logger.info('task done');
    return EXIT_OK;
  } catch (err) {
    const code = exitCodeFor(err);
    const message = describeError(err);
    if (err instanceof PreemptedError) await err.saved();
    if (code === EXIT_RETRY) o.logger.warn({ err: message }, 'task stopped; it resumes where it left off');
    else
      o.logger.error(
        {
          err: message,
          exitCode: code,
          // A stack only for what nobody foresaw (an error without a kind, api/errors.ts): a bug to report.
          ...(errorKind(err) === undefined && err instanceof Error ? { stack: err.stack } : {}),
        },
        'task failed',
      );
    writeTerminationMessage(o.terminationLog ?? '/dev/termination-log', message);
    return code;
  } finally {
    process.off('SIGTERM', handlers.SIGTERM).off('SIGINT', handlers.SIGINT);
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }
}

function prepareTask(o: WorkerOptions, signal: AbortSignal): TaskContext {
  const job = loadJob(o);
  const stage = o.stage as Stage;
  const spec = stageGraph(job).find((s) => s.name === stage);
  if (!spec)
    throw new PermanentInputError(
      `${job.kind} has no stage ${JSON.stringify(o.stage)}; its stages are ${stageGraph(job)
        .map((s) => s.name)
        .join(', ')}`,
    );
  const task = o.task ?? Number(o.env.JOB_COMPLETION_INDEX ?? 0);
  if (!Number.isInteger(task) || task < 0 || task >= spec.tasks) {
    throw new PermanentInputError(
      `task index ${task} is out of range: stage ${stage} has ${spec.tasks} task(s), 0 to ${spec.tasks - 1}`,
    );
  }
  const logger = o.logger.child({ job: job.metadata.name, stage, task });
  const metrics = new WorkerMetrics({
    id3_job: job.metadata.name,
    namespace: job.metadata.namespace ?? '',
    stage,
    task: String(task),
  });
  const open = (uri: string) => instrumentedStore(openStore(uri, job.spec.storage, o.env), metrics.storageErrors);
  const store = open(job.spec.output.uri);
  let reporter: ProgressReporter | undefined;
  return {
    job,
    stage,
    task,
    store,
    open,
    logger,
    metrics,
    signal,
    // A task stopped from outside marks its progress report, so the next attempt counts a preemption.
    stopped: () => new PreemptedError(undefined, () => reporter?.markStopped()),
    env: o.env,
    progress: (unit, total) => {
      reporter ??= new ProgressReporter({
        store,
        stage,
        task,
        unit,
        total,
        onUpdate: (p) => metrics.progressRatio.set(p.total ? p.done / p.total : 0),
      });
      return reporter;
    },
  };
}

/** The job from a file (relative paths resolve against its folder) or from ID3_JOB (already resolved). */
function loadJob(o: WorkerOptions): Id3Job {
  if (o.jobFile) {
    const file = resolve(o.jobFile);
    if (!existsSync(file)) throw new PermanentInputError(`job file ${o.jobFile} does not exist`);
    const docs = parseManifests(readFileSync(file, 'utf8')).filter((d) =>
      isJobKind((d.object as { kind?: unknown } | undefined)?.kind),
    );
    if (docs.length !== 1)
      throw new PermanentInputError(
        `${o.jobFile} must hold exactly one ID3TrainingJob or SyntheticDatasetJob (found ${docs.length})`,
      );
    return resolveJobPaths(admitOrThrow(docs[0]?.object), dirname(file), join);
  }
  const text = o.env.ID3_JOB;
  if (!text) throw new PermanentInputError('no job: pass --job FILE or set ID3_JOB');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PermanentInputError('ID3_JOB is not valid JSON', { cause: err });
  }
  return admitOrThrow(parsed);
}

function writeTerminationMessage(path: string, message: string): void {
  try {
    if (existsSync(dirname(path)) && (existsSync(path) || path !== '/dev/termination-log'))
      writeFileSync(path, message.slice(0, 4000));
  } catch {
    // Best effort: outside a pod there is no termination log.
  }
}
