/**
 * A job's output location: `layout.ts` names every key under it (dataset, training output, checkpoints, exports, and
 * the task bookkeeping every job has), and `reader.ts` reads it as the control planes do (progress reports, markers,
 * published outputs, the recorded status). Both runners and every stage go through these names.
 */
export {
  CHECKPOINT_DIR_PATTERN,
  checkpointKeys,
  datasetKeys,
  exportKeys,
  type ImageExt,
  jobKeys,
  memberNames,
  pad,
  sampleKey,
  tarOfIdentity,
  trainingKeys,
} from './layout.ts';
export {
  clearMarkers,
  deleteTemporary,
  finishedTasks,
  type PublishedOutputs,
  readProgressReports,
  readPublishedOutputs,
  readRecordedStatus,
  writeRecordedStatus,
} from './reader.ts';
