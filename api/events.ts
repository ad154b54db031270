import type { ID3TrainingJobStatus, SyntheticDatasetJobStatus } from './generated/types.ts';

/**
 * Event reasons: every Event the operator records on a job, one typed table (call sites name a member, never a
 * string). A phase change is recorded with the new phase as its reason (`kubectl get events` reads as the job's story:
 * Planning, Generating, Finalizing, Succeeded).
 */
type Phase = NonNullable<SyntheticDatasetJobStatus['phase'] | ID3TrainingJobStatus['phase']>;

export const EventReason = {
  /** A stage's child Job was created. */
  StageStarted: 'StageStarted',
  /** The cleanup finalizer gave up on a job's temporary storage and let the job go. */
  CleanupAbandoned: 'CleanupAbandoned',
  Pending: 'Pending',
  Waiting: 'Waiting',
  Planning: 'Planning',
  Generating: 'Generating',
  Finalizing: 'Finalizing',
  Preparing: 'Preparing',
  Training: 'Training',
  Evaluating: 'Evaluating',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Suspended: 'Suspended',
} as const satisfies Record<string, string> & Record<Phase, Phase>;
export type EventReason = (typeof EventReason)[keyof typeof EventReason];

export type EventType = 'Normal' | 'Warning';

/** An Event to record on a job: what decide() plans and the client writes. */
export interface EventSpec {
  type: EventType;
  reason: EventReason;
  message: string;
}

/** The Event of a phase change: a Warning for Failed, Normal otherwise. */
export function phaseEvent(phase: Phase, message: string): EventSpec {
  return { type: phase === 'Failed' ? 'Warning' : 'Normal', reason: EventReason[phase], message };
}
