import type { V1Job, V1Pod } from '@kubernetes/client-node';
import {
  EXIT_BAD_INPUT,
  EXIT_RETRY,
  type Id3Job,
  LABEL_STAGE,
  Reason,
  type Stage,
  WORKER_CONTAINER,
} from '../../api/index.ts';
import { type StageObservation, type StageSpec, stageGraph, workerErrorFromLog } from '../../workflow/index.ts';
import { childName } from '../children/stage-job.ts';

/**
 * Reads the state of a job's stages from its child batch/v1 Jobs and their pods: the Kubernetes half of the
 * observation that workflow.computeStatus turns into a status. Pure.
 */

export function observeStages(job: Id3Job, children: readonly V1Job[], pods: readonly V1Pod[]): StageObservation[] {
  const byName = new Map(children.map((c) => [c.metadata?.name, c]));
  const out: StageObservation[] = [];
  for (const stage of stageGraph(job)) {
    const child = byName.get(childName(job, stage.name));
    if (!child) continue;
    out.push(observeStage(stage, child, podsOf(pods, stage.name)));
  }
  return out;
}

function podsOf(pods: readonly V1Pod[], stage: Stage): V1Pod[] {
  return pods.filter((p) => p.metadata?.labels?.[LABEL_STAGE] === stage);
}

export function observeStage(stage: StageSpec, child: V1Job, pods: readonly V1Pod[]): StageObservation {
  const s = child.status ?? {};
  const tasks = {
    total: child.spec?.completions ?? stage.tasks,
    succeeded: s.succeeded ?? 0,
    active: s.active ?? 0,
    failed: s.failed ?? 0,
    ...(s.completedIndexes ? { completedIndexes: s.completedIndexes } : {}),
  };
  if (hasCondition(child, 'Complete')) return { name: stage.name, state: 'succeeded', tasks };
  if (hasCondition(child, 'Failed'))
    return { name: stage.name, state: 'failed', tasks, failure: failureOf(stage, child, pods) };
  return { name: stage.name, state: 'running', tasks };
}

function hasCondition(job: V1Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Why a stage failed: the worker's own words when it refused its input (exit 65), else the Job's. */
function failureOf(stage: StageSpec, child: V1Job, pods: readonly V1Pod[]): NonNullable<StageObservation['failure']> {
  const badInput = pods.find((p) => workerExit(p)?.exitCode === EXIT_BAD_INPUT);
  if (badInput) {
    const index = badInput.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '?';
    const said = workerExit(badInput)?.message
      ? workerErrorFromLog(workerExit(badInput)!.message!)
      : 'the worker refused its input';
    return {
      reason: Reason.BadInput,
      message: `${stage.name} task ${index} (pod ${badInput.metadata?.name}): ${said}`,
    };
  }
  const cond = child.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  const lastFailure = pods.map(workerExit).find((t) => t && t.exitCode !== 0 && t.exitCode !== EXIT_RETRY);
  const detail = lastFailure?.message?.trim() ? `; last worker error: ${workerErrorFromLog(lastFailure.message)}` : '';
  return {
    reason: Reason.BackoffLimitExceeded,
    message: `${stage.name}: ${cond?.reason ?? 'Failed'}: ${cond?.message ?? 'the stage Job failed'}${detail}`,
  };
}

function workerExit(p: V1Pod | undefined) {
  return p?.status?.containerStatuses?.find((c) => c.name === WORKER_CONTAINER)?.state?.terminated;
}

/** Pods stopped from outside (preemption, eviction, deletion) and replaced without counting a failure. */
export function countPreemptions(pods: readonly V1Pod[]): number {
  return pods.filter((p) => {
    const disrupted = (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
    return disrupted || workerExit(p)?.exitCode === EXIT_RETRY;
  }).length;
}
