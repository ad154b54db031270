/**
 * Names shared by the control plane and the data plane: the API group, labels, worker exit codes, stage names,
 * condition types and reasons. Changing one of these changes a contract with running clusters.
 */

export const GROUP = 'id3.sfr.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const KIND_TRAINING = 'ID3TrainingJob';
export const KIND_DATASET = 'SyntheticDatasetJob';
export type JobKind = typeof KIND_TRAINING | typeof KIND_DATASET;
export const JOB_KINDS: readonly JobKind[] = [KIND_TRAINING, KIND_DATASET];

/** Labels every child object carries, so that one label selector finds a job's children. */
export const LABEL_JOB = `${GROUP}/job`;
export const LABEL_KIND = `${GROUP}/kind`;
export const LABEL_STAGE = `${GROUP}/stage`;
/** Kueue's label naming the LocalQueue that admits a Job. */
export const LABEL_KUEUE_QUEUE = 'kueue.x-k8s.io/queue-name';

/**
 * Worker exit codes: the contract between a worker process and whoever runs it (the local runner or a Job's
 * podFailurePolicy). Values follow sysexits.h.
 */
export const EXIT_OK = 0;
/** EX_DATAERR: the input is wrong; retrying cannot help. */
export const EXIT_BAD_INPUT = 65;
/** EX_TEMPFAIL: interrupted (preempted, SIGTERM) with state saved; retry without counting a failure. */
export const EXIT_RETRY = 75;
/** Anything else: a counted failure, retried within the backoff limit. */
export const EXIT_FAILURE = 1;

export const DATASET_STAGES = ['plan', 'generate', 'finalize'] as const;
export const TRAINING_STAGES = ['prepare', 'train', 'evaluate'] as const;
export type DatasetStage = (typeof DATASET_STAGES)[number];
export type TrainingStage = (typeof TRAINING_STAGES)[number];
export type Stage = DatasetStage | TrainingStage;

/** Condition types (metav1.Condition.type) the operator maintains on both kinds. */
export const ConditionType = {
  Running: 'Running',
  Complete: 'Complete',
  Failed: 'Failed',
  Suspended: 'Suspended',
  Waiting: 'Waiting',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/**
 * How a worker learns its task, the same in a pod and under `id3 run`: the whole resolved job as JSON (self-contained:
 * a trainingJobRef is already resolved to a checkpoint URI), the stage as the first argument, and the task index from
 * the Indexed Job's JOB_COMPLETION_INDEX. Storage credentials arrive as the usual AWS_* variables.
 */
export const WorkerEnv = {
  Job: 'ID3_JOB',
  TaskIndex: 'JOB_COMPLETION_INDEX',
  Backend: 'ID3_TF_BACKEND',
  /** GPUs the pod was given (set on GPU stages only). */
  Gpus: 'ID3_GPUS',
  LogFormat: 'ID3_LOG_FORMAT',
  AccessKeyId: 'AWS_ACCESS_KEY_ID',
  SecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  SessionToken: 'AWS_SESSION_TOKEN',
} as const;

/** Port of a worker's /metrics endpoint in a pod. */
export const WORKER_METRICS_PORT = 9090;
/** Name of the worker container in every stage pod (podFailurePolicy rules refer to it). */
export const WORKER_CONTAINER = 'worker';

/** Finalizer the operator adds (with --cleanup-finalizer) to delete a job's temporary storage before the job goes. */
export const FINALIZER_CLEANUP = `${GROUP}/cleanup`;
