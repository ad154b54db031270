import {
  type DatasetStage,
  type ID3TrainingJob,
  type Id3Job,
  KIND_DATASET,
  type Stage,
  type SyntheticDatasetJob,
  type TrainingStage,
  WorkerEnv,
} from '../api/index.ts';
import { tasksOf } from './partition.ts';

/**
 * The stage graph: a job is a short chain of stages, each a set of worker tasks. Both runners (the operator, where a
 * stage is an Indexed batch/v1 Job, and `id3 run`, where it is a pool of child processes) walk the same chain.
 */

export type ProgressUnit = 'images' | 'steps' | 'tasks';

export interface StageSpec {
  name: Stage;
  /** Tasks of the stage (completions of an Indexed Job); task i is index i. */
  tasks: number;
  /** Tasks run at once at most. */
  parallelism: number;
  /** What the stage's progress counts. */
  unit: ProgressUnit;
  /** Units of work in the whole stage, when known from the spec alone (0 when only the workers can tell). */
  total: number;
  /** Whether the stage computes on a GPU when the job has one (spec.resources.gpus); the others run on CPU. */
  gpu: boolean;
}

export function stageGraph(job: Id3Job): StageSpec[] {
  return job.kind === KIND_DATASET ? datasetStages(job) : trainingStages(job);
}

function datasetStages(job: SyntheticDatasetJob): StageSpec[] {
  const { spec } = job;
  const images = spec.identities * spec.imagesPerIdentity;
  const stages: StageSpec[] = [
    { name: 'plan', tasks: 1, parallelism: 1, unit: 'tasks', total: 1, gpu: false },
    {
      name: 'generate',
      tasks: tasksOf(job),
      parallelism: spec.sharding.parallelism,
      unit: 'images',
      total: images,
      gpu: true,
    },
    // Merging indexes, writing the card and the report's embeddings: CPU work.
    { name: 'finalize', tasks: 1, parallelism: 1, unit: 'tasks', total: 1, gpu: false },
  ];
  return stages;
}

function trainingStages(job: ID3TrainingJob): StageSpec[] {
  const { spec } = job;
  const stages: StageSpec[] = [
    // Decoding and embedding the training faces once: CPU work, spread over many cheap pods.
    {
      name: 'prepare',
      tasks: spec.prepare.shards,
      parallelism: spec.prepare.parallelism,
      unit: 'images',
      total: 0,
      gpu: false,
    },
    { name: 'train', tasks: 1, parallelism: 1, unit: 'steps', total: spec.training.steps, gpu: true },
  ];
  if (spec.evaluate.enabled)
    stages.push({ name: 'evaluate', tasks: 1, parallelism: 1, unit: 'tasks', total: 1, gpu: true });
  return stages;
}

export function isDatasetStage(s: Stage): s is DatasetStage {
  return s === 'plan' || s === 'generate' || s === 'finalize';
}

export function isTrainingStage(s: Stage): s is TrainingStage {
  return !isDatasetStage(s);
}

/** The stage a job is at: the first one not yet succeeded, given which stages have succeeded. */
export function currentStage(graph: readonly StageSpec[], succeeded: ReadonlySet<Stage>): StageSpec | undefined {
  return graph.find((s) => !succeeded.has(s.name));
}

/**
 * What a stage's worker is told about its compute, the same from both runners: on a cluster the GPUs it was given (a
 * GPU stage of a job with spec.resources.gpus; `auto` then means a GPU backend or a clear failure), and the backend
 * the spec names — on a CPU stage only a CPU backend is passed on, so finalize never asks for a GPU it was not given.
 * `id3 run` (local) has no GPU count: its GPU stages get the named backend, and `auto` takes the best one present.
 */
export function computeEnv(job: Id3Job, stage: StageSpec, o: { local?: boolean } = {}): Record<string, string> {
  const { gpus, backend = 'auto' } = job.spec.resources;
  const gpuStage = stage.gpu && (o.local === true || gpus > 0);
  const env: Record<string, string> = {};
  if (gpuStage && !o.local) env[WorkerEnv.Gpus] = String(gpus);
  if (backend !== 'auto' && (gpuStage || backend === 'wasm' || backend === 'cpu')) env[WorkerEnv.Backend] = backend;
  return env;
}
