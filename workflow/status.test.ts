import { describe, expect, it } from 'vitest';
import { admitOrThrow, type ID3TrainingJob, type SyntheticDatasetJob } from '../api/index.ts';
import { datasetJob, trainingJob } from '../test/builders.ts';
import { aggregateProgress, type TaskProgress } from './progress.ts';
import { stageGraph } from './stages.ts';
import { computeDatasetStatus, computeTrainingStatus, type JobObservation, type StageObservation } from './status.ts';

const now = new Date('2026-11-27T12:00:00Z');
const later = new Date('2026-11-27T12:10:00Z');
const sdj = () => admitOrThrow(datasetJob('d').identities(8, 4).shards(4).obj()) as SyntheticDatasetJob;
const tj = () => admitOrThrow(trainingJob('t').steps(1000).obj()) as ID3TrainingJob;

const counts = (total: number, succeeded = 0, active = 0, failed = 0) => ({ total, succeeded, active, failed });
const stage = (
  name: StageObservation['name'],
  state: StageObservation['state'],
  extra: Partial<StageObservation> = {},
): StageObservation => ({
  name,
  state,
  tasks: counts(name === 'generate' ? 4 : 1, state === 'succeeded' ? (name === 'generate' ? 4 : 1) : 0),
  ...extra,
});
const obs = (stages: StageObservation[], extra: Partial<JobObservation> = {}): JobObservation => ({
  stages,
  suspended: false,
  ...extra,
});

describe('dataset job status', () => {
  it.each([
    { name: 'nothing started', given: obs([]), phase: 'Pending', stage: 'plan' },
    { name: 'planning', given: obs([stage('plan', 'running')]), phase: 'Planning', stage: 'plan' },
    {
      name: 'generating',
      given: obs([stage('plan', 'succeeded'), stage('generate', 'running')]),
      phase: 'Generating',
      stage: 'generate',
    },
    { name: 'between stages', given: obs([stage('plan', 'succeeded')]), phase: 'Generating', stage: 'generate' },
    {
      name: 'finalizing',
      given: obs([stage('plan', 'succeeded'), stage('generate', 'succeeded'), stage('finalize', 'running')]),
      phase: 'Finalizing',
      stage: 'finalize',
    },
    {
      name: 'done',
      given: obs([stage('plan', 'succeeded'), stage('generate', 'succeeded'), stage('finalize', 'succeeded')]),
      phase: 'Succeeded',
      stage: undefined,
    },
    {
      name: 'a stage failed',
      given: obs([
        stage('plan', 'succeeded'),
        stage('generate', 'failed', { failure: { reason: 'BadInput', message: 'shard 2: bad checkpoint' } }),
      ]),
      phase: 'Failed',
      stage: undefined,
    },
    {
      name: 'suspended',
      given: obs([stage('plan', 'succeeded')], { suspended: true }),
      phase: 'Suspended',
      stage: 'generate',
    },
    {
      name: 'waiting for training',
      given: obs([], { waiting: { reason: 'TrainingJobNotReady', message: 'ID3TrainingJob/t is Training' } }),
      phase: 'Waiting',
      stage: undefined,
    },
  ] as { name: string; given: JobObservation; phase: string; stage?: string }[])(
    '$name → $phase',
    ({ given, phase, stage: want }) => {
      const status = computeDatasetStatus(sdj(), given, now);
      expect(status.phase).toBe(phase);
      expect(status.stage).toBe(want);
    },
  );

  it('counts images and shards, and says so in the printer-column fields', () => {
    const gen = stage('generate', 'running', {
      tasks: counts(4, 1, 2),
      progress: { done: 12, total: 32, rate: 1.5, preemptions: 0 },
    });
    const status = computeDatasetStatus(sdj(), obs([stage('plan', 'succeeded'), gen]), now);
    expect(status).toMatchObject({
      imagesDone: 12,
      imagesTotal: 32,
      identitiesDone: 3,
      progress: '37%',
      shardsReady: '1/4',
      imagesPerSecond: 1.5,
    });
  });

  it('sets conditions on transitions and keeps their times while nothing changes', () => {
    const job = sdj();
    const s1 = computeDatasetStatus(job, obs([stage('plan', 'running')]), now);
    expect(s1.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([['Running', 'True', 'StageRunning']]);
    job.status = s1;
    const s2 = computeDatasetStatus(job, obs([stage('plan', 'succeeded'), stage('generate', 'running')]), later);
    expect(s2.conditions?.[0]?.lastTransitionTime).toBe(now.toISOString());
    job.status = s2;
    const done = obs(['plan', 'generate', 'finalize'].map((n) => stage(n as StageObservation['name'], 'succeeded')));
    const s3 = computeDatasetStatus(job, done, later);
    expect(s3.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Running', 'False', 'Completed'],
      ['Complete', 'True', 'Completed'],
    ]);
    expect(s3.completionTime).toBe(later.toISOString());
    expect(s3.startTime).toBe(now.toISOString());
  });

  it('never reads as both complete and failed when a finished job runs again', () => {
    const job = sdj();
    const all = ['plan', 'generate', 'finalize'] as const;
    job.status = computeDatasetStatus(job, obs(all.map((n) => stage(n, 'succeeded'))), now);
    const failure = { reason: 'BadInput' as const, message: 'finalize task 0: bad manifest' };
    const failed = computeDatasetStatus(
      job,
      obs([stage('plan', 'succeeded'), stage('generate', 'succeeded'), stage('finalize', 'failed', { failure })]),
      later,
    );
    expect(failed.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Running', 'False', 'Failed'],
      ['Complete', 'False', 'BadInput'],
      ['Failed', 'True', 'BadInput'],
    ]);
    expect(failed.completionTime).toBe(later.toISOString());
    job.status = failed;
    const rerun = computeDatasetStatus(job, obs([stage('plan', 'succeeded'), stage('generate', 'running')]), later);
    expect(rerun.conditions?.filter((c) => c.status === 'True').map((c) => c.type)).toEqual(['Running']);
    expect(rerun.completionTime).toBeUndefined();
  });

  it('turns Suspended off with reason Resumed once the job is resumed', () => {
    const job = sdj();
    job.status = computeDatasetStatus(job, obs([stage('plan', 'succeeded')], { suspended: true }), now);
    const resumed = computeDatasetStatus(job, obs([stage('plan', 'succeeded'), stage('generate', 'running')]), later);
    expect(resumed.conditions?.find((c) => c.type === 'Suspended')).toMatchObject({
      status: 'False',
      reason: 'Resumed',
    });
  });

  it('reports a failure with its reason and message', () => {
    const failed = stage('generate', 'failed', {
      failure: { reason: 'BadInput', message: 'shard 2: checkpoint has no EMA weights' },
    });
    const status = computeDatasetStatus(sdj(), obs([stage('plan', 'succeeded'), failed]), now);
    expect(status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BadInput',
      message: 'shard 2: checkpoint has no EMA weights',
    });
  });
});

describe('training job status', () => {
  it('reports step, progress, loss and the latest checkpoint while training', () => {
    const status = computeTrainingStatus(
      tj(),
      obs([stage('prepare', 'succeeded'), stage('train', 'running')], {
        train: {
          step: 250,
          loss: 0.1234567,
          stepsPerSecond: 2,
          checkpointURI: 's3://m/t/checkpoints/step-000000200',
          checkpointStep: 200,
        },
      }),
      now,
    );
    expect(status).toMatchObject({
      phase: 'Training',
      stage: 'train',
      step: 250,
      progress: '25%',
      loss: 0.123,
      stepsPerSecond: 2,
      latestCheckpointStep: 200,
    });
  });

  it('keeps the last known step, loss and checkpoint when no fresh report is available', () => {
    const job = tj();
    job.status = { step: 500, loss: 0.2, latestCheckpointURI: 's3://m/c', latestCheckpointStep: 500 };
    const status = computeTrainingStatus(job, obs([stage('prepare', 'succeeded'), stage('train', 'running')]), now);
    expect(status).toMatchObject({ step: 500, loss: 0.2, latestCheckpointURI: 's3://m/c', progress: '50%' });
  });

  it('has no evaluate stage when evaluation is disabled', () => {
    const job = admitOrThrow(trainingJob('t').set('spec.evaluate.enabled', false).obj()) as ID3TrainingJob;
    expect(stageGraph(job).map((s) => s.name)).toEqual(['prepare', 'train']);
    const status = computeTrainingStatus(job, obs([stage('prepare', 'succeeded'), stage('train', 'succeeded')]), now);
    expect(status.phase).toBe('Succeeded');
  });
});

describe('aggregateProgress', () => {
  const [, generate] = stageGraph(sdj());
  const report = (task: number, done: number, updatedAt: Date, finished = false): TaskProgress => ({
    stage: 'generate',
    task,
    unit: 'images',
    done,
    total: 8,
    rate: 2,
    updatedAt: updatedAt.toISOString(),
    finished,
  });

  it('sums tasks, counts finished tasks in full, and ignores stale rates', () => {
    const stale = new Date(now.getTime() - 600_000);
    const p = aggregateProgress(generate!, [report(0, 3, now), report(1, 5, stale)], new Set([2]), () => 8, now);
    expect(p).toEqual({ done: 3 + 5 + 8, total: 32, rate: 2, preemptions: 0 });
  });

  it("never counts more than a task's total", () => {
    const p = aggregateProgress(generate!, [report(0, 99, now)], new Set(), () => 8, now);
    expect(p.done).toBe(8);
  });
});
