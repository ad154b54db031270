import type { Stage } from '../../api/index.ts';
import type { TaskProgress } from '../../workflow/index.ts';
import { deletePrefix, jsonBytes, mapLimit, readJsonIfExists, type Store } from '../storage/index.ts';
import { jobKeys } from './layout.ts';

/**
 * Reading a job's output as a control plane sees it — progress reports, completion markers, published outputs and
 * the recorded status — the same functions for the operator and for `id3 run`, so both judge a job on the same facts.
 */

/** What a job's last stage publishes (manifest and report URIs, headline numbers); see jobKeys.outputs. */
export type PublishedOutputs = Record<string, unknown>;

/** Progress reports of one stage (or of all stages), read at bounded concurrency; unreadable reports are skipped. */
export async function readProgressReports(store: Store, stage?: Stage): Promise<TaskProgress[]> {
  const prefix = stage ? jobKeys.stageProgressPrefix(stage) : jobKeys.progressPrefix;
  const keys: string[] = [];
  for await (const o of store.list(prefix)) if (o.key.endsWith('.json')) keys.push(o.key);
  const reports = await mapLimit(keys, 8, (k) => readJsonIfExists<TaskProgress>(store, k).catch(() => undefined));
  return reports.filter((r): r is TaskProgress => r !== undefined);
}

/** What the job's last stage published, or undefined before it did. */
export async function readPublishedOutputs<T extends object = PublishedOutputs>(store: Store): Promise<T | undefined> {
  return readJsonIfExists<T>(store, jobKeys.outputs);
}

export async function readRecordedStatus<T extends object>(store: Store): Promise<T | undefined> {
  return readJsonIfExists<T>(store, jobKeys.status);
}

export async function writeRecordedStatus(store: Store, status: object): Promise<void> {
  await store.put(jobKeys.status, jsonBytes(status));
}

/**
 * Indexes of a stage's tasks that left a completion marker. `accept` may look into a marker and refuse it (a trainer's
 * marker for fewer steps than the job now asks for).
 */
export async function finishedTasks(
  store: Store,
  stage: Stage,
  accept?: (marker: unknown) => boolean,
): Promise<Set<number>> {
  const done = new Set<number>();
  for await (const obj of store.list(jobKeys.markersPrefix(stage))) {
    const m = /(\d+)\.done$/.exec(obj.key);
    if (!m) continue;
    if (accept && !accept(await readJsonIfExists<unknown>(store, obj.key))) continue;
    done.add(Number(m[1]));
  }
  return done;
}

/** Removes a stage's completion markers, so that its tasks run again. */
export async function clearMarkers(store: Store, stage: Stage): Promise<void> {
  const keys: string[] = [];
  for await (const obj of store.list(jobKeys.markersPrefix(stage))) if (obj.key.endsWith('.done')) keys.push(obj.key);
  for (const key of keys) await store.delete(key);
}

/** Deletes what only mattered while the job ran (jobKeys.temporaryPrefixes); returns how many objects went. */
export async function deleteTemporary(store: Store): Promise<number> {
  let deleted = 0;
  for (const prefix of jobKeys.temporaryPrefixes) deleted += await deletePrefix(store, prefix);
  return deleted;
}
