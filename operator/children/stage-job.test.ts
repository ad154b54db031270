import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { admitOrThrow, type Id3Job } from '../../api/index.ts';
import { datasetJob, trainingJob } from '../../test/builders.ts';
import { stageGraph, workerJob } from '../../workflow/index.ts';
import { buildStageJob, childName } from './stage-job.ts';

const golden = (name: string) => join(import.meta.dirname, 'testdata', `${name}.golden.yaml`);

/** Compares with the golden file; UPDATE_GOLDEN=1 rewrites it (review the diff before committing). */
function expectGolden(name: string, value: unknown): void {
  const text = stringify(value, { sortMapEntries: false, lineWidth: 0 });
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden(name))) writeFileSync(golden(name), text);
  expect(parse(readFileSync(golden(name), 'utf8'))).toEqual(parse(text));
}

function build(job: Id3Job, stageName: string, observedSuspend?: boolean) {
  const stage = stageGraph(job).find((s) => s.name === stageName)!;
  const resolved = workerJob(job, 's3://models/t/checkpoints/step-000001000');
  return buildStageJob(job, stage, {
    workerImage: 'ghcr.io/sfr/id3-worker:0.1.0',
    workerJob: resolved,
    observedSuspend,
  });
}

const gpuDataset = () =>
  admitOrThrow(
    datasetJob('faces')
      .namespace('ml')
      .set('metadata.uid', 'uid-1')
      .identities(100, 10)
      .set('spec.output.identitiesPerTar', 10)
      .shards(8, 4)
      .set('spec.storage', {
        endpoint: 'http://rgw:8080',
        credentialsSecretRef: { name: 's3', sessionTokenKey: 'token' },
      })
      .set('spec.resources', {
        gpus: 1,
        cpu: '8',
        memory: '32Gi',
        nodeSelector: { 'nvidia.com/gpu.present': 'true' },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        priorityClassName: 'batch',
        podLabels: { team: 'faces' },
      })
      .obj(),
  );

describe('buildStageJob', () => {
  it('builds the generate stage of a dataset job (golden)', () => {
    expectGolden('dataset-generate', build(gpuDataset(), 'generate'));
  });

  it('builds the train stage of a training job (golden)', () => {
    const job = admitOrThrow(trainingJob('tj').namespace('ml').set('metadata.uid', 'uid-2').obj());
    expectGolden('training-train', build(job, 'train'));
  });

  it.each(['plan', 'generate', 'finalize'])(
    'the %s Job is a valid batch/v1 Job (Kubernetes OpenAPI schema)',
    (stage) => {
      expect(() => new Job(build(gpuDataset(), stage) as never).validate()).not.toThrow();
    },
  );

  it('maps exit codes and disruptions: 75 and DisruptionTarget retry for free, 65 fails the index', () => {
    const rules = build(gpuDataset(), 'generate').spec?.podFailurePolicy?.rules ?? [];
    expect(rules.map((r) => [r.action, r.onExitCodes?.values ?? r.onPodConditions?.map((c) => c.type)])).toEqual([
      ['Ignore', ['DisruptionTarget']],
      ['Ignore', [75]],
      ['FailIndex', [65]],
    ]);
    expect(build(gpuDataset(), 'generate').spec).toMatchObject({
      podReplacementPolicy: 'Failed',
      backoffLimitPerIndex: 3,
      completionMode: 'Indexed',
      completions: 8,
      parallelism: 4,
    });
  });

  it('gives the pod no API token, no root, no writable root filesystem and no capabilities', () => {
    const pod = build(gpuDataset(), 'generate').spec!.template.spec!;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('passes credentials only as secret references, and the resolved job as JSON', () => {
    const env = build(gpuDataset(), 'generate').spec!.template.spec!.containers[0]!.env!;
    const keys = env.filter((e) => e.name.startsWith('AWS_'));
    expect(keys.every((e) => e.value === undefined && e.valueFrom?.secretKeyRef?.name === 's3')).toBe(true);
    const job = JSON.parse(env.find((e) => e.name === 'ID3_JOB')!.value!);
    expect(job.spec.model).toEqual({ checkpointURI: 's3://models/id3/checkpoints', weights: 'ema' });
    expect(job.status).toBeUndefined();
  });

  it('follows spec.suspend, but under Kueue creates suspended and then echoes what it observes', () => {
    expect(build(gpuDataset(), 'plan').spec?.suspend).toBe(false);
    const suspended = admitOrThrow({ ...gpuDataset(), spec: { ...gpuDataset().spec, suspend: true } });
    expect(build(suspended, 'plan').spec?.suspend).toBe(true);
    const queued = admitOrThrow({ ...gpuDataset(), spec: { ...gpuDataset().spec, queueName: 'gpu' } });
    expect(build(queued, 'plan').spec?.suspend).toBe(true);
    expect(build(queued, 'plan', false).spec?.suspend).toBe(false);
    expect(build(queued, 'plan').metadata?.labels?.['kueue.x-k8s.io/queue-name']).toBe('gpu');
  });

  it('names children after the job and the stage, and owns them as their controller', () => {
    const job = gpuDataset();
    const built = build(job, 'finalize');
    expect(built.metadata?.name).toBe(childName(job, 'finalize'));
    expect(built.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'id3.sfr.dev/v1alpha1',
        kind: 'SyntheticDatasetJob',
        name: 'faces',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('resolves a trainingJobRef to the checkpoint it was fixed to', () => {
    const job = admitOrThrow(datasetJob('d').trainingJobRef('tj').obj());
    const env = build(job, 'generate').spec!.template.spec!.containers[0]!.env!;
    const seen = JSON.parse(env.find((e) => e.name === 'ID3_JOB')!.value!);
    expect(seen.spec.model).toEqual({ checkpointURI: 's3://models/t/checkpoints/step-000001000', weights: 'ema' });
  });
});

describe('GPUs only where they work', () => {
  const container = (job: Id3Job, stage: string) => build(job, stage).spec!.template.spec!.containers[0]!;
  const env = (job: Id3Job, stage: string) =>
    Object.fromEntries(
      (container(job, stage).env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
    );

  it.each([
    ['plan', false],
    ['generate', true],
    ['finalize', false],
  ])('dataset stage %s holds a GPU: %s', (stage, gpu) => {
    const job = gpuDataset();
    expect(container(job, stage).resources?.limits?.['nvidia.com/gpu']).toBe(gpu ? '1' : undefined);
    expect(env(job, stage).ID3_GPUS).toBe(gpu ? '1' : undefined);
  });

  it.each([
    ['prepare', false],
    ['train', true],
    ['evaluate', true],
  ])('training stage %s holds a GPU: %s', (stage, gpu) => {
    const job = admitOrThrow(trainingJob('tj').namespace('ml').set('metadata.uid', 'u').obj());
    expect(container(job, stage).resources?.limits?.['nvidia.com/gpu']).toBe(gpu ? '1' : undefined);
  });

  it('passes the named backend to GPU stages, and only a CPU backend to CPU stages', () => {
    const webgpu = admitOrThrow(
      datasetJob('w').set('metadata.uid', 'u').set('spec.resources', { gpus: 1, backend: 'webgpu' }).obj(),
    );
    expect(env(webgpu, 'generate').ID3_TF_BACKEND).toBe('webgpu');
    expect(env(webgpu, 'finalize').ID3_TF_BACKEND).toBeUndefined();
    const wasm = admitOrThrow(
      datasetJob('c').set('metadata.uid', 'u').set('spec.resources', { gpus: 0, backend: 'wasm' }).obj(),
    );
    expect(env(wasm, 'generate')).toMatchObject({ ID3_TF_BACKEND: 'wasm' });
    expect(env(wasm, 'generate').ID3_GPUS).toBeUndefined();
    expect(env(wasm, 'finalize').ID3_TF_BACKEND).toBe('wasm');
  });

  it('refuses more than one GPU per pod: one worker process uses one device', () => {
    expect(() => admitOrThrow(datasetJob('g').set('spec.resources', { gpus: 2 }).obj())).toThrow(
      /resources.gpus must be 0 or 1: one worker process uses one GPU/,
    );
  });
});
