/**
 * Dataset formats. A SyntheticDatasetJob's output is WebDataset tar shards — tar k holds the whole identities
 * [k·P, (k+1)·P) (P = spec.output.identitiesPerTar) and is named `shards/{k:06d}.tar`, so the dataset's bytes never
 * depend on the number of generate tasks; members `{identity:06d}_{image:03d}.png|.jpg` + `.json` sidecar (identity,
 * image, embedding index, attributes, seed) in (identity, image) order, with fixed tar headers — plus per-tar and
 * merged JSONL indexes and `manifest.json`, the dataset card (`buildDatasetCard` + `writeDatasetCard`, written by
 * finalize). `ShardWriter` is what a generate task feeds image by image: it stages whole identities, so a killed
 * worker resumes where it stopped and never leaves a partial tar visible. Also: exporters to imagefolder and to
 * insightface RecordIO (MXNet IndexedRecordIO, byte-compatible), image encode/decode (sharp), `.npy` float32 files,
 * the training-input reader (imagefolder + attributes.jsonl, or WebDataset; streaming, seeded shuffle, sharded by
 * task); the names of every key are io/output's.
 */
export { attributesLine, readAttributesJsonl, stripImageExt } from './attributes.ts';
export { DatasetFormatError } from './errors.ts';
export { type ExportFormat, type ExportOptions, type ExportSummary, exportDataset } from './export.ts';
export { decodeImage, encodeImage, extOf, type ImageEncoding, imageSize, type RawImage } from './image.ts';
export { encodeJsonl, parseJsonl } from './jsonl.ts';
export {
  buildDatasetCard,
  type ComputeRecord,
  DATASET_CARD_SCHEMA,
  type DatasetCard,
  type DatasetCardInput,
  DEFAULT_LICENCE_NOTES,
  type EncoderProvenance,
  type ModelProvenance,
  readDatasetCard,
  type TarRecord,
  writeDatasetCard,
} from './manifest.ts';
export { mergeTarIndexes } from './merge-index.ts';
export {
  decodeNpy,
  encodeNpy,
  float32Bytes,
  type NpyArray,
  npyHeader,
  parseNpyHeader,
  readNpy,
  readNpyRows,
  writeNpy,
} from './npy.ts';
export { frameRecord, type IRHeader, packRecord, propertyText, RECORDIO_MAGIC, RecordIOWriter } from './recordio.ts';
export {
  type Attributes,
  type IndexLine,
  imageExtOf,
  parseSidecar,
  type SampleMeta,
  sidecarBytes,
} from './sample.ts';
export { type CommittedTar, type GeneratedImage, ShardWriter, type TarSpec } from './shard-writer.ts';
export { shuffleBuffer, shuffled } from './shuffle.ts';
export { memberSpan, readTar, TAR_END, type TarMember, tarArchive, tarFragment } from './tar.ts';
export {
  type CatalogEntry,
  readTrainingInput,
  type TrainingInputOptions,
  type TrainingSample,
  trainingCatalog,
} from './training-input.ts';
