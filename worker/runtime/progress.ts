import type { Stage } from '../../api/index.ts';
import { jobKeys } from '../../io/output/index.ts';
import { jsonBytes, readJsonIfExists, type Store } from '../../io/storage/index.ts';
import type { ProgressUnit, TaskProgress } from '../../workflow/index.ts';

/**
 * A task's progress report, kept in memory on every update and written to storage at a bounded rate (and always at
 * the end), so a fast loop never turns into a storage load. The rate is measured over a sliding window. A report
 * also counts the task's preemptions: an attempt stopped from outside marks its last report `stopped`, and the next
 * attempt carries the count on, so the job's status can tell preemptions from failures.
 */
export interface ProgressOptions {
  store: Store;
  stage: Stage;
  task: number;
  unit: ProgressUnit;
  total: number;
  minIntervalMs?: number;
  windowMs?: number;
  now?: () => number;
  /** Called after each update, e.g. to drive metrics or a progress bar. */
  onUpdate?: (p: TaskProgress) => void;
}

export class ProgressReporter {
  private done = 0;
  private train: TaskProgress['train'];
  private lastWrite = Number.NEGATIVE_INFINITY;
  private samples: { at: number; done: number }[] = [];
  private writing: Promise<void>;
  private preemptions = 0;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    // Every write waits for the previous attempt's report to be read, so the count carries over.
    this.writing = readJsonIfExists<TaskProgress>(o.store, jobKeys.progress(o.stage, o.task))
      .then((prev) => {
        this.preemptions = (prev?.preemptions ?? 0) + (prev?.stopped ? 1 : 0);
      })
      .catch(() => undefined);
  }

  get current(): TaskProgress {
    return this.snapshot(false);
  }

  /** Records progress; writes the report if the last write is old enough. Never throws for storage trouble. */
  update(done: number, train?: TaskProgress['train']): Promise<void> {
    this.done = done;
    if (train) this.train = train;
    const at = this.now();
    this.samples.push({ at, done });
    const windowStart = at - (this.o.windowMs ?? 60_000);
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < windowStart) this.samples.shift();
    this.o.onUpdate?.(this.snapshot(false));
    if (at - this.lastWrite < (this.o.minIntervalMs ?? 5_000)) return Promise.resolve();
    return this.write(false);
  }

  /** Writes the final report (finished = true). */
  finish(): Promise<void> {
    this.done = this.o.total || this.done;
    return this.write(true);
  }

  /** Writes what is known now, e.g. before stopping on SIGTERM. */
  flush(): Promise<void> {
    return this.write(false);
  }

  /** Writes the report of an attempt stopped from outside with its state saved: the next attempt counts a preemption. */
  markStopped(): Promise<void> {
    this.stopped = true;
    return this.write(false);
  }

  private rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at === first.at) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  private snapshot(finished: boolean): TaskProgress {
    return {
      stage: this.o.stage,
      task: this.o.task,
      unit: this.o.unit,
      done: this.done,
      total: this.o.total,
      rate: finished ? 0 : Math.round(this.rate() * 1000) / 1000,
      updatedAt: new Date(this.now()).toISOString(),
      finished,
      ...(this.train ? { train: this.train } : {}),
      ...(this.preemptions ? { preemptions: this.preemptions } : {}),
      ...(this.stopped ? { stopped: true } : {}),
    };
  }

  private write(finished: boolean): Promise<void> {
    this.lastWrite = this.now();
    const body = jsonBytes(this.snapshot(finished));
    // Writes are chained so that an older report never overwrites a newer one.
    this.writing = this.writing
      .then(() => this.o.store.put(jobKeys.progress(this.o.stage, this.o.task), body))
      .catch(() => undefined);
    return this.writing;
  }
}
