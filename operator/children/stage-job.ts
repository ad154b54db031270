import type { V1EnvVar, V1Job, V1PodSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import {
  API_VERSION,
  EXIT_BAD_INPUT,
  EXIT_RETRY,
  type Id3Job,
  LABEL_JOB,
  LABEL_KIND,
  LABEL_KUEUE_QUEUE,
  LABEL_STAGE,
  type Stage,
  WORKER_CONTAINER,
  WORKER_METRICS_PORT,
  WorkerEnv,
  type WorkerResources,
} from '../../api/index.ts';
import { computeEnv, type StageSpec } from '../../workflow/index.ts';

/**
 * Child batch/v1 Jobs, one per stage, built by pure functions from the job alone so that the same inputs always give
 * the same object (golden-tested). Every choice here is about running untrusted-by-default, preemptible GPU work
 * safely: Indexed completion (task = JOB_COMPLETION_INDEX), a podFailurePolicy that maps the worker's exit codes
 * (75 = preempted with state saved → retry without counting; 65 = bad input → fail the index at once) and the
 * DisruptionTarget condition (preemption, eviction, node drain → not a failure), no API credentials in the pod, and
 * a restricted security context.
 */

export interface StageJobOptions {
  /** Image used when the job's spec.resources.image is unset (the operator's --worker-image). */
  workerImage: string;
  /** The job as the worker must see it (workflow.workerJob): self-contained JSON in the pod's environment. */
  workerJob: Id3Job;
  /**
   * Under Kueue the operator does not own `suspend` after creation: it echoes the value it observed (true at
   * creation), so server-side apply never fights Kueue's admission.
   */
  observedSuspend?: boolean;
}

const FIELD_MANAGER = 'id3-operator';

export { FIELD_MANAGER };

/** Deterministic child name: the job's name and the stage. Names stay unique because the two kinds' stages differ. */
export function childName(job: Id3Job, stage: Stage): string {
  return `${job.metadata.name}-${stage}`;
}

export function childLabels(job: Id3Job, stage: Stage): Record<string, string> {
  return {
    [LABEL_JOB]: job.metadata.name,
    [LABEL_KIND]: job.kind,
    [LABEL_STAGE]: stage,
    'app.kubernetes.io/name': 'id3-worker',
    'app.kubernetes.io/instance': job.metadata.name,
    'app.kubernetes.io/component': stage,
    'app.kubernetes.io/managed-by': 'id3-operator',
  };
}

export function buildStageJob(job: Id3Job, stage: StageSpec, opts: StageJobOptions): V1Job {
  const { spec } = job;
  const queue = spec.queueName;
  const labels = { ...childLabels(job, stage.name), ...(queue ? { [LABEL_KUEUE_QUEUE]: queue } : {}) };
  const suspend = queue ? (opts.observedSuspend ?? true) : spec.suspend;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: childName(job, stage.name),
      namespace: job.metadata.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: job.kind,
          name: job.metadata.name,
          uid: job.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      completionMode: 'Indexed',
      completions: stage.tasks,
      parallelism: Math.min(stage.parallelism, stage.tasks),
      suspend,
      backoffLimitPerIndex: spec.backoffLimitPerTask,
      maxFailedIndexes: 0,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'Ignore', onExitCodes: { containerName: WORKER_CONTAINER, operator: 'In', values: [EXIT_RETRY] } },
          {
            action: 'FailIndex',
            onExitCodes: { containerName: WORKER_CONTAINER, operator: 'In', values: [EXIT_BAD_INPUT] },
          },
        ],
      },
      template: {
        metadata: {
          labels: { ...spec.resources.podLabels, ...labels },
          ...(spec.resources.podAnnotations ? { annotations: { ...spec.resources.podAnnotations } } : {}),
        },
        spec: podSpec(job, stage, opts),
      },
    },
  };
}

function podSpec(job: Id3Job, spec: StageSpec, opts: StageJobOptions): V1PodSpec {
  const r = job.spec.resources;
  const stage = spec.name;
  return {
    restartPolicy: 'Never',
    // Workers never call the Kubernetes API.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: stage === 'train' ? 300 : 120,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: WORKER_CONTAINER,
        image: r.image ?? opts.workerImage,
        ...(r.imagePullPolicy ? { imagePullPolicy: r.imagePullPolicy } : {}),
        args: ['worker', stage, '--metrics-port', String(WORKER_METRICS_PORT)],
        // The worker writes why it failed to the termination log; the operator reads it from the pod status.
        terminationMessagePolicy: 'FallbackToLogsOnError',
        env: workerEnv(job, spec, opts),
        ports: [{ name: 'metrics', containerPort: WORKER_METRICS_PORT, protocol: 'TCP' }],
        resources: resources(r, spec.gpu),
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      },
    ],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...(r.nodeSelector ? { nodeSelector: { ...r.nodeSelector } } : {}),
    ...(r.tolerations ? { tolerations: r.tolerations.map((t) => ({ ...t })) } : {}),
    ...(r.affinity ? { affinity: structuredClone(r.affinity) } : {}),
    ...(r.priorityClassName ? { priorityClassName: r.priorityClassName } : {}),
    ...(r.imagePullSecrets ? { imagePullSecrets: r.imagePullSecrets.map((s) => ({ name: s.name })) } : {}),
  };
}

function workerEnv(job: Id3Job, stage: StageSpec, opts: StageJobOptions): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: WorkerEnv.Job, value: JSON.stringify(opts.workerJob) },
    { name: WorkerEnv.LogFormat, value: 'json' },
    { name: 'TMPDIR', value: '/tmp' },
    ...Object.entries(computeEnv(job, stage)).map(([name, value]) => ({ name, value })),
  ];
  const secret = job.spec.storage.credentialsSecretRef;
  if (secret) {
    const fromSecret = (name: string, key: string, optional = false): V1EnvVar => ({
      name,
      valueFrom: { secretKeyRef: { name: secret.name, key, ...(optional ? { optional: true } : {}) } },
    });
    env.push(
      fromSecret(WorkerEnv.AccessKeyId, secret.accessKeyIDKey),
      fromSecret(WorkerEnv.SecretAccessKey, secret.secretAccessKeyKey),
    );
    if (secret.sessionTokenKey) env.push(fromSecret(WorkerEnv.SessionToken, secret.sessionTokenKey, true));
  }
  return env;
}

/** The pod's resources; GPUs only for a stage that computes on one (finalize and prepare never hold a GPU idle). */
function resources(r: WorkerResources, gpuStage: boolean): V1ResourceRequirements {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r.cpu !== undefined) requests.cpu = String(r.cpu);
  if (r.memory !== undefined) {
    requests.memory = String(r.memory);
    limits.memory = String(r.memory);
  }
  // Extended resources are requested through limits; the scheduler sets the request equal.
  if (gpuStage && r.gpus > 0) limits['nvidia.com/gpu'] = String(r.gpus);
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}
