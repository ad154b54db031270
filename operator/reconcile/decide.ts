import { isDeepStrictEqual } from 'node:util';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import {
  EventReason,
  type EventSpec,
  type ID3TrainingJob,
  type ID3TrainingJobStatus,
  type Id3Job,
  KIND_DATASET,
  phaseEvent,
  Reason,
  type SyntheticDatasetJob,
  type SyntheticDatasetJobStatus,
} from '../../api/index.ts';
import {
  aggregateProgress,
  computeStatus,
  identitiesOfTask,
  type JobObservation,
  parseIndexes,
  type StageObservation,
  type StageSpec,
  stageGraph,
  type TaskProgress,
  verdict,
  workerJob,
} from '../../workflow/index.ts';
import { buildStageJob, childName } from '../children/stage-job.ts';
import { countPreemptions, observeStages } from './observe.ts';

/**
 * The operator's decision for one job, from what it observed: which child Jobs to apply, the status to write, the
 * events to record and when to look again. Pure: `act` carries the plan out. Level-triggered: the same observation
 * always gives the same plan, so a restarted operator or a dropped watch loses nothing.
 */

export interface Observed {
  children: readonly V1Job[];
  pods: readonly V1Pod[];
  /** The trainingJobRef's target: undefined when the job has none, null when it does not exist. */
  trainingJob?: ID3TrainingJob | null;
  /** Latest progress reports read from storage (possibly a little stale). */
  reports: readonly TaskProgress[];
  outputs?: JobObservation['outputs'];
}

export interface DecideOptions {
  workerImage: string;
  /** How often to re-read progress while a stage runs (progress files are not watched). */
  progressIntervalMs: number;
  /**
   * Accept outputs on the workers' own file system: only for a development cluster whose pods share one machine's
   * disk (the test emulator). On a real cluster a pod's local path vanishes with the pod.
   */
  allowLocalOutput?: boolean;
}

export type Status = SyntheticDatasetJobStatus | ID3TrainingJobStatus;

export interface Plan {
  /** Desired child Jobs to server-side apply (only those that differ from what exists). */
  apply: V1Job[];
  /**
   * Names of the children in `apply` that another manager co-owns or may soon (Kueue owns `suspend` once it admits a
   * Job): they are applied without force, so an apply built from a stale cache fails with a conflict and is retried from a fresh
   * view, instead of re-suspending an admitted Job.
   */
  unforced?: string[];
  /** The new status, when it differs from the stored one. */
  status?: Status;
  /** Recorded after the status write succeeds. */
  events: EventSpec[];
  requeueAfterMs?: number;
  /** ttlSecondsAfterFinished has passed: delete the job (its children follow by garbage collection). */
  deleteJob?: boolean;
}

export function decide(job: Id3Job, observed: Observed, now: Date, opts: DecideOptions): Plan {
  const graph = stageGraph(job);
  const dependency = resolveModel(job, observed.trainingJob);
  const rejected = rejection(job, opts);
  const obs = { ...observation(job, graph, observed, dependency, now), ...(rejected ? { rejected } : {}) };
  const status = computeStatus(job, obs, now);
  const v = verdict(job, obs);
  const events = transitionEvents(job.status?.phase, status.phase, v.message);
  const apply: V1Job[] = [];
  const unforced: string[] = [];
  const current = v.stage ? graph.find((s) => s.name === v.stage) : undefined;
  if (current && v.phase !== 'Waiting' && v.phase !== 'Failed') {
    const existing = observed.children.find((c) => c.metadata?.name === childName(job, current.name));
    const desired = desiredChild(job, current, existing, dependency.checkpointURI, opts);
    if (!existing) events.push({ type: 'Normal', reason: EventReason.StageStarted, message: startMessage(desired) });
    if (!existing || differs(existing, desired)) apply.push(desired);
    // Under Kueue every apply is unforced, creation included: a reconcile whose cache has not yet seen the Job it
    // created sends a create again, and on a Job Kueue has admitted meanwhile that must conflict (409, retried from
    // a fresh view), not set suspend back to true.
    if (apply.length > 0 && job.spec.queueName) unforced.push(desired.metadata!.name!);
  }
  return {
    apply,
    ...(unforced.length > 0 ? { unforced } : {}),
    ...(isDeepStrictEqual(status, job.status) ? {} : { status }),
    events,
    ...timers(job, status, opts, now),
  };
}

/** What the operator refuses before running anything: an output the workers could not keep. */
function rejection(job: Id3Job, opts: DecideOptions): JobObservation['rejected'] {
  const uri = job.spec.output.uri;
  if (opts.allowLocalOutput || uri.startsWith('s3://')) return undefined;
  return {
    reason: Reason.BadInput,
    message:
      `spec.output.uri ${JSON.stringify(uri)} is a local path: on a cluster each worker pod would write to its own ` +
      'container file system and the output would vanish with the pod; use s3://BUCKET/PREFIX (with spec.storage)',
  };
}

interface Dependency {
  checkpointURI?: string;
  waiting?: JobObservation['waiting'];
}

/** A dataset job's model: fixed in status once resolved; else its trainingJobRef's latest checkpoint once it succeeded. */
function resolveModel(job: Id3Job, tj: ID3TrainingJob | null | undefined): Dependency {
  if (job.kind !== KIND_DATASET) return {};
  const ds = job as SyntheticDatasetJob;
  if (ds.spec.model.checkpointURI) return { checkpointURI: ds.spec.model.checkpointURI };
  if (ds.status?.checkpointURI) return { checkpointURI: ds.status.checkpointURI };
  const ref = `ID3TrainingJob/${ds.spec.model.trainingJobRef?.name}`;
  if (!tj)
    return {
      waiting: {
        reason: Reason.TrainingJobNotFound,
        message: `${ref} does not exist in namespace ${ds.metadata.namespace}`,
      },
    };
  const phase = tj.status?.phase ?? 'Pending';
  if (phase === 'Failed')
    return { waiting: { reason: Reason.TrainingJobFailed, message: `${ref} failed; fix or recreate it` } };
  // Succeeded is not enough: the status must already show the final checkpoint, not one read before training ended.
  const final = tj.status?.latestCheckpointStep === tj.spec.training.steps;
  if (phase !== 'Succeeded' || !tj.status?.latestCheckpointURI || !final) {
    const step = tj.status?.step !== undefined ? ` (step ${tj.status.step} of ${tj.spec.training.steps})` : '';
    return { waiting: { reason: Reason.TrainingJobNotReady, message: `waiting for ${ref}, which is ${phase}${step}` } };
  }
  return { checkpointURI: tj.status.latestCheckpointURI };
}

/**
 * status.checkpointURI of a dataset job. Under trainingJobRef it is the operator's record of the step it resolved
 * (resolveModel reads it back, so it must not change). A spec.model.checkpointURI may name a folder whose latest
 * moves: there the step the plan fixed, once the workers publish it, says which model the images come from.
 */
function checkpointOutput(job: Id3Job, dep: Dependency, published: Observed['outputs']): { checkpointURI?: string } {
  if (job.kind !== KIND_DATASET || !dep.checkpointURI) return {};
  const fromSpec = (job as SyntheticDatasetJob).spec.model.checkpointURI !== undefined;
  return { checkpointURI: (fromSpec && published?.checkpointURI) || dep.checkpointURI };
}

function observation(job: Id3Job, graph: StageSpec[], observed: Observed, dep: Dependency, now: Date): JobObservation {
  const stages = observeStages(job, observed.children, observed.pods).map((s) =>
    withProgress(job, graph, s, observed.reports, now),
  );
  const train = [...observed.reports]
    .filter((r) => r.stage === 'train' && r.train)
    .sort(byUpdate)
    .at(-1);
  return {
    stages,
    suspended: job.spec.suspend,
    ...(dep.waiting ? { waiting: dep.waiting } : {}),
    ...(train?.train ? { train: { ...train.train, stepsPerSecond: train.rate } } : {}),
    // Pods deleted by a preemption are gone from the API; the tasks' own reports still count them.
    preemptions: Math.max(
      countPreemptions(observed.pods),
      stages.reduce((n, s) => n + (s.progress?.preemptions ?? 0), 0),
    ),
    outputs: { ...observed.outputs, ...checkpointOutput(job, dep, observed.outputs) },
  };
}

function byUpdate(a: TaskProgress, b: TaskProgress): number {
  return Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
}

function withProgress(
  job: Id3Job,
  graph: StageSpec[],
  s: StageObservation,
  reports: readonly TaskProgress[],
  now: Date,
): StageObservation {
  const spec = graph.find((g) => g.name === s.name);
  if (!spec) return s;
  const finished = new Set(parseIndexes(s.tasks.completedIndexes));
  const progress = aggregateProgress(spec, reports, finished, (task) => taskTotal(job, spec, task), now);
  return { ...s, progress };
}

function taskTotal(job: Id3Job, stage: StageSpec, task: number): number {
  if (stage.name !== 'generate' || job.kind !== KIND_DATASET) return stage.unit === 'tasks' ? 1 : 0;
  const [a, b] = identitiesOfTask(job as SyntheticDatasetJob, task);
  return (b - a) * (job as SyntheticDatasetJob).spec.imagesPerIdentity;
}

function desiredChild(
  job: Id3Job,
  stage: StageSpec,
  existing: V1Job | undefined,
  checkpointURI: string | undefined,
  opts: DecideOptions,
): V1Job {
  const desired = buildStageJob(job, stage, {
    workerImage: opts.workerImage,
    workerJob: workerJob(job, checkpointURI),
    ...(existing?.spec?.suspend !== undefined ? { observedSuspend: existing.spec.suspend } : {}),
  });
  // A Job's template and completions are immutable: echo what exists, so later spec edits (parallelism, suspend)
  // apply cleanly and the workers of a running stage keep the input they started with.
  if (existing?.spec && desired.spec) {
    desired.spec.template = existing.spec.template;
    desired.spec.completions = existing.spec.completions;
  }
  return desired;
}

function differs(existing: V1Job, desired: V1Job): boolean {
  const pick = (j: V1Job) => ({
    parallelism: j.spec?.parallelism,
    suspend: j.spec?.suspend ?? false,
    labels: j.metadata?.labels,
  });
  return !isDeepStrictEqual(pick(existing), pick(desired));
}

function startMessage(j: V1Job): string {
  const { completions = 1, parallelism = 1 } = j.spec ?? {};
  return `created Job ${j.metadata?.name}: ${completions} task${completions === 1 ? '' : 's'}, ${parallelism} at a time`;
}

function transitionEvents(before: Status['phase'], after: Status['phase'], message: string): EventSpec[] {
  if (!after || before === after) return [];
  return [phaseEvent(after, message)];
}

function timers(
  job: Id3Job,
  status: Status,
  opts: DecideOptions,
  now: Date,
): Pick<Plan, 'requeueAfterMs' | 'deleteJob'> {
  const finished = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (!finished)
    return status.phase === 'Waiting' || status.phase === 'Suspended'
      ? {}
      : { requeueAfterMs: opts.progressIntervalMs };
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || !status.completionTime) return {};
  const left = Date.parse(status.completionTime) + ttl * 1000 - now.getTime();
  return left <= 0 ? { deleteJob: true } : { requeueAfterMs: left };
}
