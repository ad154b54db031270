import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { admitOrThrow, type ID3TrainingJob, type Id3Job, type SyntheticDatasetJob } from '../../api/index.ts';
import { datasetJob, trainingJob } from '../../test/builders.ts';
import { stageGraph, type TaskProgress, workerJob } from '../../workflow/index.ts';
import { buildStageJob } from '../children/stage-job.ts';
import { decide, type Observed, type Plan } from './decide.ts';

const t0 = new Date('2026-11-27T10:00:00Z');
const opts = { workerImage: 'worker:1', progressIntervalMs: 15_000 };

const sdj = (b = datasetJob('d').namespace('ns').set('metadata.uid', 'u1').identities(8, 4).shards(4, 2)) =>
  admitOrThrow(b.obj()) as SyntheticDatasetJob;

/** A child Job as the API server and the Job controller would show it. */
function child(job: Id3Job, stage: string, status: V1Job['status'] = {}, patch: (j: V1Job) => void = () => {}): V1Job {
  const spec = stageGraph(job).find((s) => s.name === stage)!;
  const j = buildStageJob(job, spec, { workerImage: 'worker:1', workerJob: workerJob(job, 's3://m/ckpt') });
  j.status = status;
  patch(j);
  return j;
}
const complete = (total = 1): V1Job['status'] => ({
  succeeded: total,
  completedIndexes: total > 1 ? `0-${total - 1}` : '0',
  conditions: [{ type: 'Complete', status: 'True' }],
});

function observed(over: Partial<Observed> = {}): Observed {
  return { children: [], pods: [], reports: [], ...over };
}

/** Applies a plan's status to the job, as the API server would store it. */
function written(job: Id3Job, plan: Plan): Id3Job {
  return { ...job, status: (plan.status ?? job.status) as never } as Id3Job;
}

describe('decide: SyntheticDatasetJob', () => {
  it('starts the plan stage of a new job', () => {
    const plan = decide(sdj(), observed(), t0, opts);
    expect(plan.apply.map((j) => j.metadata?.name)).toEqual(['d-plan']);
    expect(plan.status).toMatchObject({ phase: 'Pending', stage: 'plan', imagesTotal: 32, shardsReady: '0/4' });
    expect(plan.events).toEqual([
      { type: 'Normal', reason: 'Pending', message: 'stage plan is starting' },
      { type: 'Normal', reason: 'StageStarted', message: 'created Job d-plan: 1 task, 1 at a time' },
    ]);
  });

  it('is idempotent: the same observation after its own writes plans nothing new', () => {
    const job = sdj();
    const first = decide(job, observed(), t0, opts);
    const again = decide(written(job, first), observed({ children: [child(job, 'plan', { active: 1 })] }), t0, opts);
    expect(again.apply).toEqual([]);
    expect(again.events).toEqual([{ type: 'Normal', reason: 'Planning', message: 'stage plan is running' }]);
    const steady = decide(
      written(written(job, first), again),
      observed({ children: [child(job, 'plan', { active: 1 })] }),
      t0,
      opts,
    );
    expect(steady).toEqual({ apply: [], events: [], requeueAfterMs: 15_000 });
  });

  it('moves to generate once plan is complete, and reports progress from the workers', () => {
    const job = sdj();
    const reports: TaskProgress[] = [
      {
        stage: 'generate',
        task: 0,
        unit: 'images',
        done: 5,
        total: 8,
        rate: 0.5,
        updatedAt: t0.toISOString(),
        finished: false,
      },
      {
        stage: 'generate',
        task: 1,
        unit: 'images',
        done: 8,
        total: 8,
        rate: 0,
        updatedAt: t0.toISOString(),
        finished: true,
      },
    ];
    const children = [
      child(job, 'plan', complete()),
      child(job, 'generate', { active: 2, succeeded: 1, completedIndexes: '1' }),
    ];
    const plan = decide(job, observed({ children, reports }), t0, opts);
    expect(plan.apply).toEqual([]);
    expect(plan.status).toMatchObject({
      phase: 'Generating',
      stage: 'generate',
      imagesDone: 13,
      progress: '40%',
      shardsReady: '1/4',
      imagesPerSecond: 0.5,
    });
  });

  it('applies a new parallelism to the running stage, echoing its immutable template', () => {
    const job = sdj();
    const running = child(job, 'generate', { active: 2 }, (j) => {
      j.spec!.template.metadata!.annotations = { 'seen-by': 'api-server' };
    });
    const wider = sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').identities(8, 4).shards(4, 4));
    const plan = decide(wider, observed({ children: [child(job, 'plan', complete()), running] }), t0, opts);
    expect(plan.apply).toHaveLength(1);
    expect(plan.apply[0]?.spec?.parallelism).toBe(4);
    expect(plan.apply[0]?.spec?.template).toEqual(running.spec?.template);
  });

  it('suspends the running stage and says so', () => {
    const job = sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').identities(8, 4).shards(4, 2).suspend());
    const running = child(sdj(), 'generate', { active: 2 });
    const plan = decide(job, observed({ children: [child(job, 'plan', complete()), running] }), t0, opts);
    expect(plan.apply[0]?.spec?.suspend).toBe(true);
    expect(plan.status?.phase).toBe('Suspended');
    expect(plan.requeueAfterMs).toBeUndefined();
  });

  it("fails with the worker's own message when a task refused its input", () => {
    const job = sdj();
    const failed = child(job, 'generate', {
      failed: 1,
      failedIndexes: '2',
      conditions: [{ type: 'Failed', status: 'True', reason: 'MaxFailedIndexesExceeded' }],
    });
    const pod: V1Pod = {
      metadata: {
        name: 'd-generate-2-abcde',
        labels: { 'id3.sfr.dev/stage': 'generate' },
        annotations: { 'batch.kubernetes.io/job-completion-index': '2' },
      },
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'worker',
            image: 'w',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 65, message: 'checkpoint s3://m/ckpt has no EMA weights' } },
          },
        ],
      },
    };
    const plan = decide(job, observed({ children: [child(job, 'plan', complete()), failed], pods: [pod] }), t0, opts);
    expect(plan.apply).toEqual([]);
    expect(plan.status?.phase).toBe('Failed');
    const condition = plan.status?.conditions?.find((c) => c.type === 'Failed');
    expect(condition).toMatchObject({
      reason: 'BadInput',
      message: 'generate task 2 (pod d-generate-2-abcde): checkpoint s3://m/ckpt has no EMA weights',
    });
    expect(plan.events[0]).toMatchObject({ type: 'Warning', reason: 'Failed' });
  });

  it('shows in status the step the plan fixed when the spec names a checkpoints folder, and keeps the spec in the pods', () => {
    const job = sdj();
    const step = 's3://models/id3/checkpoints/step-000000500';
    const before = decide(job, observed(), t0, opts);
    expect((before.status as SyntheticDatasetJob['status'])?.checkpointURI).toBe('s3://models/id3/checkpoints');
    const planned = observed({ children: [child(job, 'plan', complete())], outputs: { checkpointURI: step } });
    const after = decide(written(job, before), planned, t0, opts);
    expect((after.status as SyntheticDatasetJob['status'])?.checkpointURI).toBe(step);
    const env = after.apply[0]?.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'ID3_JOB')?.value;
    expect(JSON.parse(env!).spec.model.checkpointURI).toBe('s3://models/id3/checkpoints');
  });

  it('keeps the step it resolved from a trainingJobRef in status, whatever the workers publish', () => {
    const job = sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').trainingJobRef('tj'));
    const resolved = 's3://models/tj/checkpoints/step-000500000';
    const running = { ...job, status: { checkpointURI: resolved } } as SyntheticDatasetJob;
    const plan = decide(running, observed({ outputs: { checkpointURI: `${resolved}/` } }), t0, opts);
    expect((plan.status as SyntheticDatasetJob['status'])?.checkpointURI).toBe(resolved);
  });

  it("waits for its trainingJobRef, then runs with that job's latest checkpoint, fixed in status", () => {
    const job = sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').trainingJobRef('tj'));
    const missing = decide(job, observed({ trainingJob: null }), t0, opts);
    expect(missing.apply).toEqual([]);
    expect(missing.status?.conditions?.find((c) => c.type === 'Waiting')).toMatchObject({
      status: 'True',
      reason: 'TrainingJobNotFound',
    });

    const tj = admitOrThrow(trainingJob('tj').namespace('ns').obj()) as ID3TrainingJob;
    tj.status = { phase: 'Training', step: 1200 };
    const training = decide(job, observed({ trainingJob: tj }), t0, opts);
    expect(training.status?.conditions?.find((c) => c.type === 'Waiting')?.message).toBe(
      'waiting for ID3TrainingJob/tj, which is Training (step 1200 of 500000)',
    );

    tj.status = {
      phase: 'Succeeded',
      latestCheckpointURI: 's3://models/tj/checkpoints/step-000495000',
      latestCheckpointStep: 495_000,
    };
    const stale = decide(written(job, training), observed({ trainingJob: tj }), t0, opts);
    expect(stale.apply).toEqual([]);

    tj.status = {
      phase: 'Succeeded',
      step: 500_000,
      latestCheckpointURI: 's3://models/tj/checkpoints/step-000500000',
      latestCheckpointStep: 500_000,
    };
    const ready = decide(written(job, training), observed({ trainingJob: tj }), t0, opts);
    expect(ready.apply.map((j) => j.metadata?.name)).toEqual(['d-plan']);
    expect((ready.status as SyntheticDatasetJob['status'])?.checkpointURI).toBe(
      's3://models/tj/checkpoints/step-000500000',
    );
    expect(ready.status?.conditions?.find((c) => c.type === 'Waiting')).toMatchObject({
      status: 'False',
      reason: 'DependencyReady',
    });
    const env = ready.apply[0]?.spec?.template.spec?.containers[0]?.env?.find((e) => e.name === 'ID3_JOB')?.value;
    expect(JSON.parse(env!).spec.model.checkpointURI).toBe('s3://models/tj/checkpoints/step-000500000');
  });

  it('deletes a finished job once ttlSecondsAfterFinished has passed', () => {
    const job = sdj(
      datasetJob('d')
        .namespace('ns')
        .set('metadata.uid', 'u1')
        .identities(8, 4)
        .shards(4, 2)
        .set('spec.ttlSecondsAfterFinished', 60),
    );
    const children = [
      child(job, 'plan', complete()),
      child(job, 'generate', complete(4)),
      child(job, 'finalize', complete()),
    ];
    const done = decide(job, observed({ children }), t0, opts);
    expect(done.status).toMatchObject({ phase: 'Succeeded', progress: '100%', imagesDone: 32 });
    expect(done.requeueAfterMs).toBe(60_000);
    const later = decide(written(job, done), observed({ children }), new Date(t0.getTime() + 61_000), opts);
    expect(later.deleteJob).toBe(true);
  });

  it('under Kueue creates the stage suspended and then leaves suspend to Kueue', () => {
    const job = sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').set('spec.queueName', 'gpu'));
    expect(decide(job, observed(), t0, opts).apply[0]?.spec?.suspend).toBe(true);
    const admitted = child(job, 'plan', { active: 1 }, (j) => {
      j.spec!.suspend = false;
    });
    expect(decide(job, observed({ children: [admitted] }), t0, opts).apply).toEqual([]);
    // A later change (parallelism of the running generate stage) echoes what it saw and is applied without force,
    // so an apply from a stale view conflicts instead of re-suspending the admitted Job.
    const generating = child(job, 'generate', { active: 1 }, (j) => {
      j.spec!.suspend = false;
      j.spec!.parallelism = 99;
    });
    const change = decide(job, observed({ children: [child(job, 'plan', complete()), generating] }), t0, opts);
    expect(change.apply).toHaveLength(1);
    expect(change.apply[0]?.spec?.suspend).toBe(false);
    expect(change.apply[0]?.spec?.parallelism).not.toBe(99);
    expect(change.unforced).toEqual([generating.metadata?.name]);
    // Creation too: a create sent again from a cache that has not seen the Job must not re-suspend it either.
    expect(decide(job, observed(), t0, opts).unforced).toEqual([`${job.metadata.name}-plan`]);
    const plain = sdj(datasetJob('p').namespace('ns').set('metadata.uid', 'u3'));
    expect(decide(plain, observed(), t0, opts).unforced).toBeUndefined(); // without Kueue, applies force
  });
});

describe('decide: ID3TrainingJob', () => {
  it("reports the trainer's step, loss, speed and checkpoint while training", () => {
    const job = admitOrThrow(trainingJob('tj').namespace('ns').set('metadata.uid', 'u2').steps(1000).obj());
    const children = [child(job, 'prepare', complete()), child(job, 'train', { active: 1 })];
    const reports: TaskProgress[] = [
      {
        stage: 'train',
        task: 0,
        unit: 'steps',
        done: 400,
        total: 1000,
        rate: 3,
        updatedAt: t0.toISOString(),
        finished: false,
        train: { step: 400, loss: 0.05, checkpointURI: 's3://m/tj/checkpoints/step-000000400', checkpointStep: 400 },
      },
    ];
    const plan = decide(job, observed({ children, reports }), t0, opts);
    expect(plan.status).toMatchObject({
      phase: 'Training',
      step: 400,
      progress: '40%',
      loss: 0.05,
      stepsPerSecond: 3,
      latestCheckpointURI: 's3://m/tj/checkpoints/step-000000400',
    });
  });
});

describe('decide: outputs the workers could not keep', () => {
  const local = () => sdj(datasetJob('d').namespace('ns').set('metadata.uid', 'u1').output('/data/faces'));

  it('fails a job whose output is a local path, with the reason, and creates nothing', () => {
    const plan = decide(local(), observed(), t0, opts);
    expect(plan.apply).toEqual([]);
    expect(plan.status).toMatchObject({ phase: 'Failed' });
    const failed = plan.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed).toMatchObject({ status: 'True', reason: 'BadInput' });
    expect(failed?.message).toContain('spec.output.uri "/data/faces" is a local path');
    expect(plan.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'Failed' })]);
  });

  it('accepts it on a development cluster whose pods share one disk (--allow-local-output)', () => {
    const plan = decide(local(), observed(), t0, { ...opts, allowLocalOutput: true });
    expect(plan.apply.map((j) => j.metadata?.name)).toEqual(['d-plan']);
  });
});
