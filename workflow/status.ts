import {
  ConditionType,
  type ID3TrainingJob,
  type ID3TrainingJobStatus,
  type Id3Job,
  KIND_DATASET,
  Reason,
  type Stage,
  type SyntheticDatasetJob,
  type SyntheticDatasetJobStatus,
  setCondition,
  type TaskCounts,
} from '../api/index.ts';
import { percent, type StageProgress, type TaskProgress } from './progress.ts';
import { currentStage, stageGraph } from './stages.ts';

/**
 * Status computation, shared by the operator and `id3 run`: from what was observed of a job's stages (task counts,
 * progress, failures), compute the whole status — phase, stage, conditions, counts, progress. Pure: the caller
 * writes the result once, and only when it differs from what is stored.
 */

export type StageState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface StageObservation {
  name: Stage;
  state: StageState;
  tasks: TaskCounts;
  progress?: StageProgress;
  failure?: {
    reason: typeof Reason.BadInput | typeof Reason.TaskFailed | typeof Reason.BackoffLimitExceeded;
    message: string;
  };
}

export interface JobObservation {
  /** Stages seen so far; a stage absent here has not started. */
  stages: readonly StageObservation[];
  suspended: boolean;
  /** Set while the job cannot start, e.g. its trainingJobRef has not succeeded. */
  waiting?: { reason: Reason; message: string };
  /** Set when the control plane refuses the job before any stage runs (bad input it can see, e.g. a local output). */
  rejected?: { reason: typeof Reason.BadInput; message: string };
  /** Training: the trainer's latest report. */
  train?: TaskProgress['train'] & { stepsPerSecond?: number };
  preemptions?: number;
  /** Values the stages published (checkpoint used, manifest, report, headline quality numbers). */
  outputs?: Partial<Pick<SyntheticDatasetJobStatus, 'checkpointURI' | 'manifestURI' | 'reportURI' | 'quality'>> &
    Partial<Pick<ID3TrainingJobStatus, 'evaluation'>>;
}

type Phase = NonNullable<SyntheticDatasetJobStatus['phase']> | NonNullable<ID3TrainingJobStatus['phase']>;

const RUNNING_PHASE: Record<Stage, Phase> = {
  plan: 'Planning',
  generate: 'Generating',
  finalize: 'Finalizing',
  prepare: 'Preparing',
  train: 'Training',
  evaluate: 'Evaluating',
};

interface Verdict {
  phase: Phase;
  stage?: Stage;
  reason: Reason;
  message: string;
}

/** What the job is doing, decided in a fixed order: failed, complete, suspended, waiting, running, pending. */
export function verdict(job: Id3Job, obs: JobObservation): Verdict {
  if (obs.rejected) return { phase: 'Failed', reason: obs.rejected.reason, message: obs.rejected.message };
  const graph = stageGraph(job);
  const failed = obs.stages.find((s) => s.state === 'failed');
  if (failed) {
    const f = failed.failure ?? { reason: Reason.TaskFailed, message: `stage ${failed.name} failed` };
    return { phase: 'Failed', stage: failed.name, reason: f.reason, message: f.message };
  }
  const succeeded = new Set(obs.stages.filter((s) => s.state === 'succeeded').map((s) => s.name));
  const current = currentStage(graph, succeeded);
  if (!current) return { phase: 'Succeeded', reason: Reason.Completed, message: 'all stages succeeded' };
  if (obs.suspended)
    return { phase: 'Suspended', stage: current.name, reason: Reason.SuspendedByUser, message: 'spec.suspend is true' };
  if (obs.waiting) return { phase: 'Waiting', reason: obs.waiting.reason, message: obs.waiting.message };
  const seen = obs.stages.find((s) => s.name === current.name);
  if (succeeded.size === 0 && (!seen || seen.state === 'pending')) {
    return {
      phase: 'Pending',
      stage: current.name,
      reason: Reason.Pending,
      message: `stage ${current.name} is starting`,
    };
  }
  return {
    phase: RUNNING_PHASE[current.name],
    stage: current.name,
    reason: Reason.StageRunning,
    message: `stage ${current.name} is running`,
  };
}

function conditionsFor(job: Id3Job, v: Verdict, now: Date) {
  const gen = job.metadata.generation ?? 0;
  let c = job.status?.conditions ?? [];
  const running = !['Failed', 'Succeeded', 'Suspended', 'Waiting', 'Pending'].includes(v.phase);
  const set = (type: ConditionType, on: boolean, reason: Reason, message: string) => {
    c = setCondition(c, { type, status: on ? 'True' : 'False', reason, message }, gen, now);
  };
  set(ConditionType.Running, running, running ? v.reason : offReason(v), v.message);
  const had = (type: string) => c.some((x) => x.type === type);
  // Complete and Failed follow the current verdict once they exist: a job run again (the local runner re-runs a
  // stage whose outputs are gone) must not read as both complete and failed.
  for (const [type, phase] of [
    [ConditionType.Complete, 'Succeeded'],
    [ConditionType.Failed, 'Failed'],
  ] as const) {
    if (v.phase === phase || had(type)) set(type, v.phase === phase, v.reason, v.message);
  }
  if (v.phase === 'Suspended' || had(ConditionType.Suspended)) {
    const on = v.phase === 'Suspended';
    set(
      ConditionType.Suspended,
      on,
      on ? Reason.SuspendedByUser : Reason.Resumed,
      on ? v.message : 'spec.suspend is false',
    );
  }
  if (v.phase === 'Waiting' || had(ConditionType.Waiting)) {
    const on = v.phase === 'Waiting';
    set(ConditionType.Waiting, on, on ? v.reason : Reason.DependencyReady, on ? v.message : 'dependencies are ready');
  }
  return c;
}

function offReason(v: Verdict): Reason {
  const byPhase: Partial<Record<Phase, Reason>> = {
    Succeeded: Reason.Completed,
    Failed: Reason.Failed,
    Suspended: Reason.Suspended,
    Waiting: Reason.Waiting,
  };
  return byPhase[v.phase] ?? Reason.Pending;
}

function common(job: Id3Job, v: Verdict, obs: JobObservation, now: Date) {
  const prev = job.status;
  const started = obs.stages.some((s) => s.state !== 'pending');
  const finished = v.phase === 'Succeeded' || v.phase === 'Failed';
  return {
    phase: v.phase,
    ...(v.stage && !finished ? { stage: v.stage } : {}),
    observedGeneration: job.metadata.generation ?? 0,
    conditions: conditionsFor(job, v, now),
    ...(prev?.startTime || started ? { startTime: prev?.startTime ?? now.toISOString() } : {}),
    ...(finished ? { completionTime: (prev?.phase === v.phase && prev.completionTime) || now.toISOString() } : {}),
  };
}

function stageOf(obs: JobObservation, name: Stage): StageObservation | undefined {
  return obs.stages.find((s) => s.name === name);
}

export function computeDatasetStatus(
  job: SyntheticDatasetJob,
  obs: JobObservation,
  now: Date,
): SyntheticDatasetJobStatus {
  const v = verdict(job, obs);
  const gen = stageOf(obs, 'generate');
  const imagesTotal = job.spec.identities * job.spec.imagesPerIdentity;
  const imagesDone = Math.min(imagesTotal, gen?.state === 'succeeded' ? imagesTotal : (gen?.progress?.done ?? 0));
  const shards: TaskCounts = gen?.tasks ?? { total: job.spec.sharding.shards, succeeded: 0, active: 0, failed: 0 };
  const status: SyntheticDatasetJobStatus = {
    ...(common(job, v, obs, now) as Pick<
      SyntheticDatasetJobStatus,
      'phase' | 'stage' | 'observedGeneration' | 'conditions' | 'startTime' | 'completionTime'
    >),
    shards,
    shardsReady: `${shards.succeeded ?? 0}/${shards.total ?? job.spec.sharding.shards}`,
    imagesDone,
    imagesTotal,
    identitiesDone: Math.floor(imagesDone / job.spec.imagesPerIdentity),
    progress: percent(imagesDone, imagesTotal),
    ...(gen?.state === 'running' && gen.progress ? { imagesPerSecond: round(gen.progress.rate) } : {}),
    ...pickDefined(obs.outputs ?? {}, ['checkpointURI', 'manifestURI', 'reportURI', 'quality']),
  };
  return status;
}

export function computeTrainingStatus(job: ID3TrainingJob, obs: JobObservation, now: Date): ID3TrainingJobStatus {
  const v = verdict(job, obs);
  const prepare = stageOf(obs, 'prepare');
  const step = obs.train?.step ?? job.status?.step ?? 0;
  const status: ID3TrainingJobStatus = {
    ...(common(job, v, obs, now) as Pick<
      ID3TrainingJobStatus,
      'phase' | 'stage' | 'observedGeneration' | 'conditions' | 'startTime' | 'completionTime'
    >),
    ...(prepare ? { prepareShards: prepare.tasks } : {}),
    step,
    progress: percent(step, job.spec.training.steps),
    ...(obs.train?.loss !== undefined ? { loss: round(obs.train.loss) } : pickDefined(job.status ?? {}, ['loss'])),
    ...(obs.train?.stepsPerSecond !== undefined && v.phase === 'Training'
      ? { stepsPerSecond: round(obs.train.stepsPerSecond) }
      : {}),
    ...(obs.preemptions ? { preemptions: obs.preemptions } : {}),
    ...(obs.train?.checkpointURI
      ? { latestCheckpointURI: obs.train.checkpointURI, latestCheckpointStep: obs.train.checkpointStep ?? step }
      : pickDefined(job.status ?? {}, ['latestCheckpointURI', 'latestCheckpointStep'])),
    ...pickDefined(obs.outputs ?? {}, ['reportURI', 'evaluation']),
  };
  return status;
}

export function computeStatus(
  job: Id3Job,
  obs: JobObservation,
  now: Date,
): SyntheticDatasetJobStatus | ID3TrainingJobStatus {
  return job.kind === KIND_DATASET
    ? computeDatasetStatus(job, obs, now)
    : computeTrainingStatus(job as ID3TrainingJob, obs, now);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function pickDefined<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
