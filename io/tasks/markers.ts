import { jobKeys } from '../output/index.ts';
import {
  type Clock,
  jsonBytes,
  mapLimit,
  PreconditionFailedError,
  readJsonIfExists,
  type Store,
  sha256Hex,
  systemClock,
} from '../storage/index.ts';

/** An object a task produced, as its marker records it. */
export interface TaskOutput {
  key: string;
  bytes: number;
  sha256: string;
}

/** `tasks/<stage>/<index>.done`: the proof that a task finished and the list of what it wrote. */
export interface TaskMarker {
  stage: string;
  index: number;
  finishedAt: string;
  outputs: TaskOutput[];
  /** Counts and facts the next stage or the status needs (images written, loss, …). */
  summary?: Record<string, unknown>;
}

export interface TaskRun {
  marker: TaskMarker;
  /** True when the task had finished before and nothing ran. */
  skipped: boolean;
}

/** The output record of bytes the task wrote (or is about to write) at `key`. */
export function describeOutput(key: string, bytes: Uint8Array): TaskOutput {
  return { key, bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
}

/**
 * Completion markers. A task writes its outputs at deterministic keys, then its marker; readers trust only outputs
 * listed in a marker; a task with a marker never runs again; a task killed before its marker left outputs nobody
 * reads, which its retry overwrites.
 */
export class TaskMarkers {
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  read(stage: string, index: number): Promise<TaskMarker | undefined> {
    return readJsonIfExists<TaskMarker>(this.store, jobKeys.marker(stage, index));
  }

  async isDone(stage: string, index: number): Promise<boolean> {
    return this.store.exists(jobKeys.marker(stage, index));
  }

  /**
   * Writes the marker with create-if-absent. If another attempt of the same task got there first (a pod the
   * scheduler thought lost), its marker stands and is returned: both wrote the same deterministic outputs.
   */
  async markDone(
    stage: string,
    index: number,
    outputs: TaskOutput[],
    summary?: Record<string, unknown>,
  ): Promise<TaskMarker> {
    const marker: TaskMarker = { stage, index, finishedAt: new Date(this.clock.now()).toISOString(), outputs };
    if (summary) marker.summary = summary;
    try {
      await this.store.putIfAbsent(jobKeys.marker(stage, index), jsonBytes(marker), {
        contentType: 'application/json',
      });
      return marker;
    } catch (err) {
      if (!(err instanceof PreconditionFailedError)) throw err;
      return (await this.read(stage, index)) ?? marker;
    }
  }

  /** Markers of a stage's finished tasks, by task index. */
  async listDone(stage: string): Promise<TaskMarker[]> {
    const keys: string[] = [];
    for await (const o of this.store.list(jobKeys.markersPrefix(stage))) if (o.key.endsWith('.done')) keys.push(o.key);
    const markers = await mapLimit(keys, 16, (k) => readJsonIfExists<TaskMarker>(this.store, k));
    return markers.filter((m): m is TaskMarker => m !== undefined).sort((a, b) => a.index - b.index);
  }

  /** Deletes a marker, so that the task runs again (an explicit re-run; never part of normal retries). */
  clear(stage: string, index: number): Promise<void> {
    return this.store.delete(jobKeys.marker(stage, index));
  }
}

/**
 * Runs a task once: returns the existing marker without running `work` when the task finished before, otherwise runs
 * `work` — which writes its outputs and returns them — and then writes the marker.
 */
export async function runTask(
  markers: TaskMarkers,
  task: { stage: string; index: number },
  work: () => Promise<{ outputs: TaskOutput[]; summary?: Record<string, unknown> }>,
): Promise<TaskRun> {
  const before = await markers.read(task.stage, task.index);
  if (before) return { marker: before, skipped: true };
  const { outputs, summary } = await work();
  return { marker: await markers.markDone(task.stage, task.index, outputs, summary), skipped: false };
}

/**
 * Reads an output a marker lists, checking it is the object the task wrote (size and sha256): a reader never sees
 * an unmarked or replaced object.
 */
export async function readMarkedOutput(store: Store, output: TaskOutput): Promise<Uint8Array> {
  const bytes = await store.get(output.key);
  if (bytes.byteLength !== output.bytes || sha256Hex(bytes) !== output.sha256) {
    throw new MarkedOutputMismatchError(store.uri(output.key));
  }
  return bytes;
}

/** An output differs from what its task's marker recorded: something rewrote it after the task finished. */
export class MarkedOutputMismatchError extends Error {
  override name = 'MarkedOutputMismatchError';
  constructor(readonly uri: string) {
    super(`${uri} is not the object its task marker recorded (size or sha256 differ)`);
  }
}
