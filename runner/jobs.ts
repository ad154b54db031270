import {
  admit,
  type FieldError,
  type ID3TrainingJob,
  type Id3Job,
  isJobKind,
  KIND_DATASET,
  KIND_TRAINING,
  locateFieldErrors,
  objectRef,
  PermanentInputError,
  type SourcePosition,
  type SyntheticDatasetJob,
  ValidationError,
} from '../api/index.ts';
import { resolveJobPaths } from '../workflow/index.ts';

/**
 * Which jobs a local run runs, in what order, and with what inputs: every job of the given files is admitted as the
 * API server would, relative paths resolve against the file's folder, `--out` replaces the output, training jobs run
 * before the dataset jobs that reference them, and a dataset job's trainingJobRef resolves to that training job's
 * checkpoints. Pure.
 */

export interface JobSource {
  object: unknown;
  /** Folder of the file the job came from. */
  dir: string;
  file: string;
  line: number;
  /** Where each field is written in the file (parseManifests), so that errors point at their lines. */
  positions?: ReadonlyMap<string, SourcePosition>;
}

export interface RunJob {
  job: Id3Job;
  /** The checkpoint a dataset job's trainingJobRef resolved to. */
  checkpointURI?: string;
  file: string;
}

export interface RunOptions {
  /** Replaces spec.output.uri (one job), or becomes OUT/<name> (several). */
  out?: string;
  join: (a: string, b: string) => string;
}

export class RunPlanError extends PermanentInputError {
  override name = 'RunPlanError';
}

export function planRun(sources: readonly JobSource[], o: RunOptions): RunJob[] {
  const jobs = sources.filter((s) => isJobKind((s.object as { kind?: unknown } | null)?.kind));
  if (jobs.length === 0) throw new RunPlanError('no ID3TrainingJob or SyntheticDatasetJob in the given files');
  const admitted = jobs.map((s) => ({ source: s, job: admitSource(s, o, jobs.length) }));
  const byName = new Map(
    admitted.filter((a) => a.job.kind === KIND_TRAINING).map((a) => [a.job.metadata.name, a.job as ID3TrainingJob]),
  );
  const runs: RunJob[] = admitted.map(({ source, job }) => ({
    job,
    file: source.file,
    ...dependency(job, byName, source),
  }));
  return [...runs.filter((r) => r.job.kind === KIND_TRAINING), ...runs.filter((r) => r.job.kind === KIND_DATASET)];
}

function admitSource(s: JobSource, o: RunOptions, count: number): Id3Job {
  const { object, errors } = admit(s.object);
  if (errors.length > 0)
    throw new ValidationError(
      `${s.file}:${s.line}: ${objectRef(s.object)}`,
      s.positions ? locateFieldErrors(errors, s.positions) : (errors as FieldError[]),
    );
  let job = resolveJobPaths(object, s.dir, o.join);
  if (o.out) {
    const uri = count === 1 ? o.out : o.join(o.out, job.metadata.name);
    job = { ...job, spec: { ...job.spec, output: { ...job.spec.output, uri } } } as Id3Job;
  }
  return job;
}

function dependency(job: Id3Job, training: Map<string, ID3TrainingJob>, s: JobSource): Pick<RunJob, 'checkpointURI'> {
  if (job.kind !== KIND_DATASET) return {};
  const ref = (job as SyntheticDatasetJob).spec.model.trainingJobRef?.name;
  if (!ref) return {};
  const tj = training.get(ref);
  if (!tj) {
    throw new RunPlanError(
      `${s.file}:${s.line}: ${objectRef(job)} refers to ID3TrainingJob ${ref}, which is not in this run; pass its file too (id3 run training.yaml ${s.file}) or use spec.model.checkpointURI`,
    );
  }
  return { checkpointURI: joinUri(tj.spec.output.uri, 'checkpoints') };
}

function joinUri(uri: string, key: string): string {
  return `${uri.replace(/\/+$/, '')}/${key}`;
}
