/**
 * Face-verification benchmarks (LFW, CFP-FP, AgeDB-30, CALFW, CPLFW) in the formats people have and the protocol as
 * insightface computes it. Formats: insightface's pickled `.bin` (read by a restricted pickle machine that builds
 * data and runs nothing — bin.ts, pickle.ts, pickle-globals.ts) and an image folder with LFW's `pairs.txt` or
 * insightface's `pairs_label.txt` (pairs.ts, folder.ts), both read into a VerificationSet (set.ts) and both
 * writable, for fixtures. images.ts decodes the JPEG/PNG bytes with sharp; protocol.ts (with slinear.ts) is the pure
 * maths — 10-fold accuracy and TAR at FAR 1e-3 over embeddings; evaluate.ts runs a set through a caller's embedding
 * function, so nothing here loads a network.
 */
export { encodeBin, readBin, readBinFile, readBinSet, writeBinFile } from './bin.ts';
export { BenchmarkFormatError, ProtocolInputError } from './errors.ts';
export {
  type BenchmarkOptions,
  type BenchmarkResult,
  defaultBenchmarkOptions,
  type EmbedImages,
  evaluateBenchmark,
} from './evaluate.ts';
export {
  type FolderLocation,
  type LfwImagePair,
  type PathImagePair,
  readImageFolder,
  writeLabelFolder,
  writeLfwFolder,
} from './folder.ts';
export { decodeBatch, decodeImage, type ImageBatch, mirror } from './images.ts';
export {
  formatLabelPairs,
  formatLfwPairs,
  type LfwImage,
  lfwImagePath,
  type ParsedPairs,
  type PathPair,
  parseLabelPairs,
  parseLfwPairs,
  parsePairs,
} from './pairs.ts';
export {
  evaluateEmbeddings,
  type FoldResult,
  insightfaceProtocol,
  kFoldRanges,
  type PairEmbeddings,
  type ProtocolOptions,
  pairDistances,
  thresholdGrid,
  unitRows,
  type VerificationMetrics,
  verificationMetrics,
} from './protocol.ts';
export { type EncodedPair, pairSet, type VerificationSet } from './set.ts';
export { slinear } from './slinear.ts';
