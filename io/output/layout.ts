/**
 * Every key of a job's output, relative to its output root. Pure: the one place that knows where things live, so that
 * the stages, both control planes, the exporters, the CLI and the tests cannot disagree.
 *
 * Dataset (SyntheticDatasetJob `spec.output.uri`):
 *   plan/anchors.npy  plan/embeddings.npy  plan/attributes.jsonl  plan/plan.json      the plan stage
 *   shards/000012.tar  shards/000012.jsonl                                            tar k and its index lines
 *   staging/shards/000012/000123.tar                                                  identities staged for tar k
 *   index.jsonl  manifest.json  report/{index.html,metrics.json,contact-sheet.png}    the finalize stage
 *   exports/imagefolder/images/000123/007.png  exports/recordio/{train.rec,train.idx,property}
 * Training output (ID3TrainingJob `spec.output.uri`):
 *   checkpoints/step-000001234/…  checkpoints/latest  features/00003.npy  features/00003.jsonl  report/…
 * Both (jobKeys): tasks/job.json (the owning job), tasks/<stage>/00003.done (completion markers),
 *   progress/<stage>/00003.json (progress reports), status/outputs.json (what the last stage publishes),
 *   status/status.json (the status `id3 run` computes, as the operator writes it on the resource).
 */

/** Zero-padded decimal; wider numbers keep all their digits. */
export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The sample key of an image, `{identity:06d}_{image:03d}` (WebDataset groups a sample's files by it). */
export function sampleKey(identity: number, image: number): string {
  return `${pad(identity, 6)}_${pad(image, 3)}`;
}

export type ImageExt = 'png' | 'jpg';

/** Names of an image's two members in a tar: the image and its JSON sidecar. */
export function memberNames(identity: number, image: number, ext: ImageExt): { image: string; meta: string } {
  const key = sampleKey(identity, image);
  return { image: `${key}.${ext}`, meta: `${key}.json` };
}

export function tarOfIdentity(identity: number, identitiesPerTar: number): number {
  return Math.floor(identity / identitiesPerTar);
}

export const datasetKeys = {
  planAnchors: 'plan/anchors.npy',
  planEmbeddings: 'plan/embeddings.npy',
  planAttributes: 'plan/attributes.jsonl',
  planSummary: 'plan/plan.json',
  shardsPrefix: 'shards/',
  tar: (k: number) => `shards/${pad(k, 6)}.tar`,
  tarIndex: (k: number) => `shards/${pad(k, 6)}.jsonl`,
  stagingPrefix: (k: number) => `staging/shards/${pad(k, 6)}/`,
  stagedIdentity: (k: number, identity: number) => `staging/shards/${pad(k, 6)}/${pad(identity, 6)}.tar`,
  index: 'index.jsonl',
  manifest: 'manifest.json',
  reportHtml: 'report/index.html',
  reportMetrics: 'report/metrics.json',
  contactSheet: 'report/contact-sheet.png',
  exportRoot: (format: 'imagefolder' | 'recordio') => `exports/${format}`,
} as const;

/** Keys inside an export root (the finalize stage's `exports/<format>/` or the `--out` of `id3 export`). */
export const exportKeys = {
  imagefolderImage: (identity: number, image: number, ext: ImageExt) =>
    `images/${pad(identity, 6)}/${pad(image, 3)}.${ext}`,
  imagefolderAttributes: 'attributes.jsonl',
  recordioRec: 'train.rec',
  recordioIdx: 'train.idx',
  recordioProperty: 'property',
} as const;

export const CHECKPOINT_DIR_PATTERN = /^step-(\d{9,})$/;

/**
 * Keys inside a checkpoints folder (`checkpoints/` of a training output, or whatever folder a checkpoint URI names):
 * one folder per checkpoint holding the model's named files and `metadata.json`, its `COMMITTED` marker written
 * after them, and `latest` written last.
 */
export const checkpointKeys = {
  dir: (step: number) => `step-${pad(step, 9)}`,
  file: (step: number, name: string) => `step-${pad(step, 9)}/${name}`,
  metadata: (step: number) => `step-${pad(step, 9)}/metadata.json`,
  marker: (step: number) => `step-${pad(step, 9)}/COMMITTED`,
  latest: 'latest',
  /** Holds: a dataset job's claim on a step, which retention keeps (CheckpointStore.hold). */
  holds: 'holds/',
  hold: (holderId: string) => `holds/${holderId}.json`,
  /** The step of a checkpoint folder name, or undefined. */
  stepOf: (dir: string): number | undefined => {
    const m = CHECKPOINT_DIR_PATTERN.exec(dir);
    return m ? Number(m[1]) : undefined;
  },
} as const;

export const trainingKeys = {
  /** The checkpoints folder; the keys inside it are checkpointKeys. */
  checkpoints: 'checkpoints',
  features: (task: number) => `features/${pad(task, 5)}.npy`,
  featuresIndex: (task: number) => `features/${pad(task, 5)}.jsonl`,
  reportHtml: 'report/index.html',
  reportMetrics: 'report/metrics.json',
  reportGrid: 'report/grid.png',
} as const;

/** Keys every job's output has, whatever its kind: ownership, task bookkeeping and status. */
export const jobKeys = {
  /** Which job wrote this output: its kind, name and fingerprint (api/fingerprint.ts). */
  owner: 'tasks/job.json',
  marker: (stage: string, index: number) => `tasks/${stage}/${pad(index, 5)}.done`,
  markersPrefix: (stage: string) => `tasks/${stage}/`,
  /** Prefix of all progress reports, for listing them in one request. */
  progressPrefix: 'progress/',
  stageProgressPrefix: (stage: string) => `progress/${stage}/`,
  progress: (stage: string, index: number) => `progress/${stage}/${pad(index, 5)}.json`,
  /**
   * Where the last stage of a job publishes what the status shows (manifest and report URIs, headline quality or
   * evaluation numbers).
   */
  outputs: 'status/outputs.json',
  /** Where `id3 run` writes a job's status, beside its outputs. */
  status: 'status/status.json',
  /** What only matters while the job runs (staged identities, progress reports); cleanup may delete it. */
  temporaryPrefixes: ['staging/', 'progress/'] as readonly string[],
} as const;
