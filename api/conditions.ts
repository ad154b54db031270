import type { Condition } from './generated/types.ts';

/**
 * Condition reasons: the machine-readable half of every status change, one place for both runners (the operator and
 * `id3 run`) so that `kubectl wait`, alerts and scripts can rely on them.
 */
export const Reason = {
  StageRunning: 'StageRunning',
  Completed: 'Completed',
  TaskFailed: 'TaskFailed',
  BadInput: 'BadInput',
  BackoffLimitExceeded: 'BackoffLimitExceeded',
  SuspendedByUser: 'SuspendedByUser',
  Resumed: 'Resumed',
  TrainingJobNotReady: 'TrainingJobNotReady',
  TrainingJobNotFound: 'TrainingJobNotFound',
  TrainingJobFailed: 'TrainingJobFailed',
  DependencyReady: 'DependencyReady',
  Pending: 'Pending',
  Waiting: 'Waiting',
  Suspended: 'Suspended',
  Failed: 'Failed',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export type ConditionStatus = Condition['status'];

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: Reason;
  message: string;
}

/**
 * Upserts a condition. lastTransitionTime changes only when the status changes, as metav1.Condition requires;
 * reason, message and observedGeneration are refreshed. Returns a new list; order of existing entries is kept.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  c: ConditionInput,
  generation: number,
  now: Date,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString();
  const next: Condition = {
    type: c.type,
    status: c.status,
    observedGeneration: generation,
    lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
