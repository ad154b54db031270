/**
 * Quality measures of a labelled face set under an identity encoder (the method page's list): identity consistency,
 * intra-class diversity, inter-class separation, genuine-versus-impostor separability (EER, d′, FNMR at fixed FMR,
 * LFW-style accuracy) and label-flip rate — pure functions over embeddings and labels — plus the report writers.
 */

export {
  defaultQualityOptions,
  type QualityDistributions,
  type QualityInput,
  QualityInputError,
  type QualityMetrics,
  type QualityOptions,
  qualityMetrics,
  type Summary,
  summary,
} from './measures.ts';
export { groupByLabel, PairSamplingError, type Pairs, samplePairs } from './pairs.ts';
export { contactSheetPng, defaultSheetOptions, type SheetOptions, type SheetPicture } from './report/contact-sheet.ts';
export { headlines, type ReportContext, reportHtml } from './report/html.ts';
export {
  defaultReportOptions,
  type Embedder,
  type LabelledImage,
  type LabelledImageSource,
  ReportError,
  type ReportOptions,
  type ReportResult,
  type ReportSink,
  reportDataset,
  sampleIdentities,
} from './report/report.ts';
export { binCounts, type HistogramOptions, type HistogramSeries, histogramSvg } from './report/svg.ts';
export { type NearestResult, nearest } from './similarity.ts';
export {
  centroids,
  cosineRows,
  dotRows,
  EmbeddingShapeError,
  type Embeddings,
  embeddings,
  unitRows,
} from './vectors.ts';
export {
  DEFAULT_FMRS,
  ScoreError,
  type Separability,
  separability,
  type VerificationAccuracy,
  verificationAccuracy,
} from './verification.ts';
