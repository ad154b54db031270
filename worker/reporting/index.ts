/**
 * Reporting: where the quality report's labelled images come from — a finished id3 dataset, a labelled image folder
 * or a folder-per-identity export — so that `id3 report`, the finalize stage and the encoder's model card measure
 * every set the same way (the measures and writers themselves are worker/quality's).
 */
export { embedderOf } from './embedder.ts';
export { ReportInputError, type ReportOnOptions, reportOn } from './report-on.ts';
export { datasetImages, folderImages } from './sources.ts';
