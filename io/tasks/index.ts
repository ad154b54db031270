/**
 * Task completion markers (`tasks/<stage>/<index>.done`, keys in dataset/layout.ts): a task writes its outputs,
 * then its marker listing them with size and sha256; readers trust only marked outputs (`readMarkedOutput` checks
 * them); re-running a finished task is a no-op (`runTask`); a task killed before its marker is replaced by its retry
 * and never read.
 */
export {
  describeOutput,
  MarkedOutputMismatchError,
  readMarkedOutput,
  runTask,
  type TaskMarker,
  TaskMarkers,
  type TaskOutput,
  type TaskRun,
} from './markers.ts';
export { claimOutput, outputConflict, ownsOutput } from './owner.ts';
