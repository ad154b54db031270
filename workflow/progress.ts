import type { Stage } from '../api/index.ts';
import type { ProgressUnit, StageSpec } from './stages.ts';

/**
 * Progress reports: each worker task writes one report (io/output's jobKeys.progress) (at a bounded rate) through the storage layer; the
 * runners read them and aggregate per stage. A report says what a task has done, never what others did, so reports
 * can be read in any order and at any time.
 */
export interface TaskProgress {
  stage: Stage;
  task: number;
  unit: ProgressUnit;
  done: number;
  total: number;
  /** Units per second over the worker's recent window. */
  rate: number;
  updatedAt: string;
  finished: boolean;
  /** Training only: the step, the loss over the last logging window, and the latest committed checkpoint. */
  train?: { step: number; loss: number; checkpointURI?: string; checkpointStep?: number };
  /** Earlier attempts of this task stopped from outside (preemption, eviction, suspend) and resumed. */
  preemptions?: number;
  /** This attempt was stopped from outside after saving its state; the next one resumes it. */
  stopped?: boolean;
}

export interface StageProgress {
  done: number;
  total: number;
  /** Units per second, summed over tasks that reported recently. */
  rate: number;
  /** Preemptions of the stage's tasks (stopped from outside and resumed), summed. */
  preemptions: number;
}

/**
 * Sums a stage's reports. Finished tasks count in full (their own total, or `taskTotal` when their report is gone);
 * only reports newer than `staleAfterMs` contribute to the rate, so a dead worker stops inflating it.
 */
export function aggregateProgress(
  stage: StageSpec,
  reports: readonly TaskProgress[],
  finishedTasks: ReadonlySet<number>,
  taskTotal: (task: number) => number,
  now: Date,
  staleAfterMs = 120_000,
): StageProgress {
  const byTask = new Map(reports.filter((r) => r.stage === stage.name).map((r) => [r.task, r]));
  let done = 0;
  let total = 0;
  let rate = 0;
  let preemptions = 0;
  for (let task = 0; task < stage.tasks; task++) {
    const r = byTask.get(task);
    preemptions += (r?.preemptions ?? 0) + (r?.stopped ? 1 : 0);
    const t = r?.total ?? taskTotal(task);
    total += t;
    if (finishedTasks.has(task) || r?.finished) {
      done += t;
      continue;
    }
    if (!r) continue;
    done += Math.min(r.done, t);
    if (now.getTime() - Date.parse(r.updatedAt) <= staleAfterMs) rate += r.rate;
  }
  return { done, total: stage.total > 0 ? stage.total : total, rate, preemptions };
}

/** "42%" — floor, so that 100% means done. */
export function percent(done: number, total: number): string {
  if (total <= 0) return '0%';
  return `${Math.min(100, Math.floor((100 * done) / total))}%`;
}
