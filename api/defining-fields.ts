import type { JobKind } from './constants.ts';

/**
 * What each spec field is to a job's output — the one declared list that the fingerprint (fingerprint.ts), the CRDs'
 * immutability rules and the docs follow:
 *   defining     the output's bytes depend on it. A job records these values beside its output (tasks/job.json) and
 *                a job whose values differ is refused rather than mixed with it; the CRDs make each one immutable
 *                (x-kubernetes-validations `self == oldSelf`), so an edit is refused by the API server too.
 *   operational  where or how the job runs — the output's location, parallelism, credentials, resources, scheduling —
 *                or, for a trainer, how far it goes: raising training.steps continues the same run.
 * Paths are dotted under spec; a path covers everything below it. test/api/defining-fields.test.ts checks that the
 * two lists cover each CRD's spec exactly and that every defining field is immutable there, so a field added to a
 * CRD must be classified here first.
 */
export interface FieldClasses {
  defining: readonly string[];
  operational: readonly string[];
}

export const FIELD_CLASSES: Record<JobKind, FieldClasses> = {
  SyntheticDatasetJob: {
    defining: [
      'model',
      'encoder',
      'identities',
      'imagesPerIdentity',
      'embeddingsPerIdentity',
      'anchorSimilarity',
      'embeddingSpace',
      'anchors',
      'attributes',
      'sampler',
      'seed',
      // Which identities each generate task owns: its completion markers and staged identities depend on it.
      'sharding.shards',
      'output.identitiesPerTar',
      'output.imageFormat',
      'output.jpegQuality',
      'output.exports',
      // The report and the dataset card's quality numbers.
      'quality',
    ],
    operational: [
      'sharding.parallelism',
      'output.uri',
      'storage',
      'resources',
      'suspend',
      'ttlSecondsAfterFinished',
      'backoffLimitPerTask',
      'queueName',
    ],
  },
  ID3TrainingJob: {
    defining: [
      'dataset',
      'encoder',
      'model',
      'conditioning',
      'diffusion',
      'training.batchSize',
      'training.learningRate',
      'training.warmupSteps',
      'training.weightDecay',
      'training.beta1',
      'training.beta2',
      'training.epsilon',
      'training.gradientClipNorm',
      'training.emaDecay',
      'training.idLossWeight',
      'training.reconstructionWeight',
      'training.seed',
      // Which images each prepare task embeds: its markers and feature files depend on it.
      'prepare.shards',
      'evaluate',
    ],
    operational: [
      // Raising it continues the same run from its last checkpoint (resumption is exact).
      'training.steps',
      // How often the trainer saves, keeps and logs: the weights at a step do not depend on them.
      'training.checkpointEverySteps',
      'training.keepCheckpoints',
      'training.logEverySteps',
      'prepare.parallelism',
      'output.uri',
      'storage',
      'resources',
      'suspend',
      'ttlSecondsAfterFinished',
      'backoffLimitPerTask',
      'queueName',
    ],
  },
};
