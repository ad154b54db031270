/**
 * The workflow core shared by both runners (the operator on Kubernetes and `id3 run` on one machine): the stage graph
 * of each kind, how stages split into tasks, progress reports and their aggregation, and the status computation.
 * Pure functions only: no I/O, no clocks (time is a parameter).
 */
export { compressIndexes, parseIndexes } from './index-ranges.ts';
export {
  contiguousRange,
  identitiesOfTask,
  type Range,
  tarCount,
  tarIdentities,
  tarsOfTask,
  tasksOf,
} from './partition.ts';
export {
  aggregateProgress,
  percent,
  type StageProgress,
  type TaskProgress,
} from './progress.ts';
export { isRelativePath, resolveJobPaths, workerJob } from './resolve.ts';
export {
  computeEnv,
  currentStage,
  isDatasetStage,
  isTrainingStage,
  type ProgressUnit,
  type StageSpec,
  stageGraph,
} from './stages.ts';
export {
  computeDatasetStatus,
  computeStatus,
  computeTrainingStatus,
  type JobObservation,
  type StageObservation,
  type StageState,
  verdict,
} from './status.ts';
export { workerErrorFromLog } from './worker-log.ts';
