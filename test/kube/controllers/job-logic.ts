/**
 * The Job controller's decisions, pure: from a Job, its pods and the time, what to count, which pods to create or
 * delete, and the new status (counts, ready/terminating, completed/failed indexes, Suspended, SuccessCriteriaMet or
 * FailureTarget then Complete or Failed once no pod is left running). Follows the batch/v1 Job documentation:
 * parallelism, completions, Indexed mode, backoffLimit, backoffLimitPerIndex with maxFailedIndexes,
 * podFailurePolicy, podReplacementPolicy, suspend, activeDeadlineSeconds and ttlSecondsAfterFinished.
 */
import { clone, type Json, type KubeObject, timestamp } from '../core/index.ts';
import { formatIndexes, parseIndexes } from './job-indexes.ts';
import { matchFailurePolicy } from './job-policy.ts';

export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';

export interface JobInput {
  job: KubeObject;
  pods: KubeObject[];
  now: Date;
  /** When the last counted failure was seen (ms), for the replacement backoff. */
  lastFailureAt?: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface PodToCreate {
  index?: number;
  failureCount?: number;
}

export interface JobPlan {
  status: Json;
  create: PodToCreate[];
  deletePods: KubeObject[];
  /** Terminal pods now counted in status: their tracking finalizer can go. */
  countedPods: KubeObject[];
  events: { type: 'Normal' | 'Warning'; reason: string; message: string }[];
  newFailures: number;
  requeueAfterMs?: number;
  deleteJob?: boolean;
}

interface JobSpec {
  parallelism: number;
  completions?: number;
  backoffLimit: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  indexed: boolean;
  suspend: boolean;
  replaceOnlyFailed: boolean;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
}

function specOf(job: KubeObject): JobSpec {
  const s = job.spec as Json;
  return {
    parallelism: (s.parallelism as number | undefined) ?? 1,
    completions: s.completions as number | undefined,
    backoffLimit: (s.backoffLimit as number | undefined) ?? 6,
    backoffLimitPerIndex: s.backoffLimitPerIndex as number | undefined,
    maxFailedIndexes: s.maxFailedIndexes as number | undefined,
    indexed: s.completionMode === 'Indexed',
    suspend: s.suspend === true,
    replaceOnlyFailed: s.podReplacementPolicy === 'Failed',
    activeDeadlineSeconds: s.activeDeadlineSeconds as number | undefined,
    ttlSecondsAfterFinished: s.ttlSecondsAfterFinished as number | undefined,
  };
}

type Condition = Json & { type: string; status: string; lastTransitionTime?: string };

const phaseOf = (p: KubeObject) => (p.status as Json | undefined)?.phase as string | undefined;
const isTerminal = (p: KubeObject) => phaseOf(p) === 'Succeeded' || phaseOf(p) === 'Failed';
const indexOf = (p: KubeObject) => {
  const v = p.metadata.annotations?.[INDEX_ANNOTATION];
  return v === undefined ? undefined : Number(v);
};
const isReady = (p: KubeObject) =>
  (((p.status as Json | undefined)?.conditions as Condition[] | undefined) ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

const restartCount = (p: KubeObject) =>
  ((((p.status as Json | undefined)?.containerStatuses as Json[] | undefined) ?? [])[0]?.restartCount as
    | number
    | undefined) ?? 0;

function conditions(status: Json): Condition[] {
  return (status.conditions as Condition[] | undefined) ?? [];
}

export function hasCondition(status: Json, type: string): boolean {
  return conditions(status).some((c) => c.type === type && c.status === 'True');
}

/** Upsert that keeps lastTransitionTime when the status does not change. */
function setCondition(
  status: Json,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: string,
): void {
  const list = conditions(status);
  const at = list.findIndex((c) => c.type === type);
  const prev = at >= 0 ? list[at] : undefined;
  const next: Condition = {
    type,
    status: value,
    lastProbeTime: now,
    lastTransitionTime: prev && prev.status === value ? prev.lastTransitionTime : now,
    reason,
    message,
  };
  if (prev && prev.status === value && prev.reason === reason && prev.message === message) return;
  if (at >= 0) list[at] = next;
  else list.push(next);
  status.conditions = list;
}

/** Per-index failure counts: the newest pod's annotation plus its own counted failure. */
function indexFailures(job: KubeObject, pods: KubeObject[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pods) {
    const i = indexOf(p);
    if (i === undefined) continue;
    const before = Number(p.metadata.annotations?.[FAILURE_COUNT_ANNOTATION] ?? 0);
    const counted = phaseOf(p) === 'Failed' && countsAsFailure(job, p) ? 1 : 0;
    out.set(i, Math.max(out.get(i) ?? 0, before + counted));
  }
  return out;
}

function countsAsFailure(job: KubeObject, pod: KubeObject): boolean {
  const m = matchFailurePolicy(job, pod);
  return m?.action !== 'Ignore';
}

export function decideJob(input: JobInput): JobPlan {
  const { job, now } = input;
  const nowText = timestamp(now);
  const spec = specOf(job);
  const status = clone((job.status ?? {}) as Json);
  const plan: JobPlan = { status, create: [], deletePods: [], countedPods: [], events: [], newFailures: 0 };
  if (hasCondition(status, 'Complete') || hasCondition(status, 'Failed')) return finished(input, spec, plan);
  const failing = countFinished(input, spec, plan);
  const active = input.pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
  const terminating = input.pods.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp);
  const verdict = failing ?? pendingVerdict(status) ?? judge(input, spec, status);
  if (verdict) {
    const type = verdict.failed ? 'FailureTarget' : 'SuccessCriteriaMet';
    setCondition(status, type, 'True', verdict.reason, verdict.message, nowText);
    plan.deletePods.push(...active);
    if (active.length + terminating.length === 0) finish(plan, verdict, nowText);
  } else if (spec.suspend) suspend(plan, active, nowText);
  else run(input, spec, plan, active, terminating, nowText);
  const gone = new Set(plan.deletePods);
  status.active = active.filter((p) => !gone.has(p)).length;
  status.ready = active.filter((p) => !gone.has(p) && isReady(p)).length;
  status.terminating = terminating.length + gone.size;
  status.succeeded ??= 0;
  status.failed ??= 0;
  status.uncountedTerminatedPods ??= {};
  return plan;
}

interface Verdict {
  failed: boolean;
  reason: string;
  message: string;
}

/** Counts newly terminal pods; returns a verdict when a FailJob rule matched. */
function countFinished(input: JobInput, spec: JobSpec, plan: JobPlan): Verdict | undefined {
  const { job, status } = { job: input.job, status: plan.status };
  const completed = parseIndexes(status.completedIndexes as string | undefined);
  const failedIdx = parseIndexes(status.failedIndexes as string | undefined);
  let verdict: Verdict | undefined;
  for (const p of input.pods) {
    if (!isTerminal(p) || !p.metadata.finalizers?.includes(TRACKING_FINALIZER)) continue;
    plan.countedPods.push(p);
    const i = indexOf(p);
    if (phaseOf(p) === 'Succeeded') {
      status.succeeded = ((status.succeeded as number | undefined) ?? 0) + 1;
      if (i !== undefined && spec.indexed && !failedIdx.has(i)) completed.add(i);
      continue;
    }
    const m = matchFailurePolicy(job, p);
    if (m?.action === 'Ignore') continue;
    status.failed = ((status.failed as number | undefined) ?? 0) + 1;
    plan.newFailures++;
    if (m?.action === 'FailJob') verdict ??= { failed: true, reason: 'PodFailurePolicy', message: m.message };
    if (m?.action === 'FailIndex' && i !== undefined) failedIdx.add(i);
  }
  if (spec.backoffLimitPerIndex !== undefined) {
    for (const [i, n] of indexFailures(job, input.pods))
      if (n > spec.backoffLimitPerIndex && !completed.has(i)) failedIdx.add(i);
    status.failedIndexes = formatIndexes(failedIdx);
  }
  if (spec.indexed) status.completedIndexes = formatIndexes(completed);
  return verdict;
}

/** A verdict reached earlier, waiting for the job's pods to stop. */
function pendingVerdict(status: Json): Verdict | undefined {
  for (const c of conditions(status)) {
    if (c.status !== 'True') continue;
    if (c.type === 'FailureTarget') return { failed: true, reason: String(c.reason), message: String(c.message) };
    if (c.type === 'SuccessCriteriaMet') return { failed: false, reason: String(c.reason), message: String(c.message) };
  }
  return undefined;
}

/** Success or failure decided by the counts, the deadline or the indexes. */
function judge(input: JobInput, spec: JobSpec, status: Json): Verdict | undefined {
  // With restartPolicy OnFailure, container restarts count against backoffLimit as failed pods do.
  const restarts = input.pods.filter((p) => !isTerminal(p)).reduce((n, p) => n + restartCount(p), 0);
  const failed = ((status.failed as number | undefined) ?? 0) + restarts;
  const succeeded = (status.succeeded as number | undefined) ?? 0;
  if (failed > spec.backoffLimit)
    return { failed: true, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  const failedIdx = parseIndexes(status.failedIndexes as string | undefined);
  if (spec.maxFailedIndexes !== undefined && failedIdx.size > spec.maxFailedIndexes)
    return {
      failed: true,
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    };
  const start = status.startTime ? Date.parse(status.startTime as string) : undefined;
  if (
    spec.activeDeadlineSeconds !== undefined &&
    start !== undefined &&
    input.now.getTime() - start >= spec.activeDeadlineSeconds * 1000
  )
    return { failed: true, reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  if (spec.indexed) {
    const done = parseIndexes(status.completedIndexes as string | undefined).size;
    if (done + failedIdx.size >= (spec.completions ?? 0)) {
      if (failedIdx.size > 0) return { failed: true, reason: 'FailedIndexes', message: 'Job has failed indexes' };
      return { failed: false, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    }
    return undefined;
  }
  if (spec.completions !== undefined && succeeded >= spec.completions)
    return { failed: false, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
  const running = input.pods.some((p) => !isTerminal(p));
  if (spec.completions === undefined && succeeded > 0 && !running)
    return { failed: false, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
  return undefined;
}

function finish(plan: JobPlan, verdict: Verdict, now: string): void {
  const { status } = plan;
  if (verdict.failed) {
    setCondition(status, 'Failed', 'True', verdict.reason, verdict.message, now);
    plan.events.push({ type: 'Warning', reason: verdict.reason, message: verdict.message });
  } else {
    setCondition(status, 'Complete', 'True', '', '', now);
    status.completionTime = now;
    plan.events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  }
}

function finished(input: JobInput, spec: JobSpec, plan: JobPlan): JobPlan {
  plan.countedPods.push(
    ...input.pods.filter((p) => p.metadata.finalizers?.includes(TRACKING_FINALIZER) && isTerminal(p)),
  );
  if (spec.ttlSecondsAfterFinished === undefined) return plan;
  const done = conditions(plan.status).find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  const at = Date.parse(done?.lastTransitionTime ?? timestamp(input.now)) + spec.ttlSecondsAfterFinished * 1000;
  if (input.now.getTime() >= at) plan.deleteJob = true;
  else plan.requeueAfterMs = at - input.now.getTime();
  return plan;
}

function suspend(plan: JobPlan, active: KubeObject[], now: string): void {
  plan.deletePods.push(...active);
  if (!hasCondition(plan.status, 'Suspended'))
    plan.events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
  setCondition(plan.status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
  delete plan.status.startTime;
}

function run(
  input: JobInput,
  spec: JobSpec,
  plan: JobPlan,
  active: KubeObject[],
  terminating: KubeObject[],
  now: string,
): void {
  const { status } = plan;
  if (hasCondition(status, 'Suspended')) {
    setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    plan.events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
  }
  status.startTime ??= now;
  if (spec.activeDeadlineSeconds !== undefined) {
    const left = Date.parse(status.startTime as string) + spec.activeDeadlineSeconds * 1000 - input.now.getTime();
    plan.requeueAfterMs = Math.max(left, 10);
  }
  const wait = backoffRemaining(input, plan);
  if (wait > 0) {
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
    return;
  }
  const occupying = spec.replaceOnlyFailed ? [...active, ...terminating] : active;
  if (spec.indexed) planIndexed(input, spec, plan, occupying);
  else planNonIndexed(spec, plan, occupying);
}

function backoffRemaining(input: JobInput, plan: JobPlan): number {
  const failures = (plan.status.failed as number | undefined) ?? 0;
  const last = plan.newFailures > 0 ? input.now.getTime() : input.lastFailureAt;
  if (failures === 0 || last === undefined || input.backoffBaseMs <= 0) return 0;
  const delay = Math.min(input.backoffBaseMs * 2 ** (failures - 1), input.backoffMaxMs);
  return last + delay - input.now.getTime();
}

function planNonIndexed(spec: JobSpec, plan: JobPlan, occupying: KubeObject[]): void {
  const succeeded = (plan.status.succeeded as number | undefined) ?? 0;
  const wanted =
    spec.completions === undefined
      ? succeeded > 0
        ? 0
        : spec.parallelism
      : Math.min(spec.parallelism, spec.completions - succeeded);
  const diff = wanted - occupying.length;
  for (let i = 0; i < diff; i++) plan.create.push({});
  if (diff < 0) plan.deletePods.push(...occupying.filter((p) => !p.metadata.deletionTimestamp).slice(diff));
}

function planIndexed(input: JobInput, spec: JobSpec, plan: JobPlan, occupying: KubeObject[]): void {
  const completed = parseIndexes(plan.status.completedIndexes as string | undefined);
  const failed = parseIndexes(plan.status.failedIndexes as string | undefined);
  const busy = new Set(occupying.map(indexOf));
  const counts = indexFailures(input.job, input.pods);
  let room = spec.parallelism - occupying.length;
  for (let i = 0; i < (spec.completions ?? 0) && room > 0; i++) {
    if (completed.has(i) || failed.has(i) || busy.has(i)) continue;
    plan.create.push({
      index: i,
      failureCount: spec.backoffLimitPerIndex !== undefined ? (counts.get(i) ?? 0) : undefined,
    });
    room--;
  }
  if (room < 0) {
    const extra = [...occupying]
      .filter((p) => !p.metadata.deletionTimestamp)
      .sort((a, b) => (indexOf(b) ?? 0) - (indexOf(a) ?? 0));
    plan.deletePods.push(...extra.slice(0, -room));
  }
}
