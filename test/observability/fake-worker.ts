/**
 * A worker for the observability test: the real worker runtime (runWorker: the job from ID3_JOB as the operator sets
 * it, the task index, /metrics served by WorkerMetrics, progress reports written to the job's storage, exit codes) with
 * stage bodies that do no maths but record what the real stages record, at a steady pace, and hold until the test
 * releases them — so Prometheus can scrape a worker in the middle of its stage. Run by the emulator's kubelet as a
 * pod's process:
 *
 *   node --import tsx test/observability/fake-worker.ts worker <stage> --metrics-port <port>
 *
 * ID3_TEST_WORKER_PORTS maps a stage to the loopback port to serve on (pods share one network here, so the pod's
 * 9090 cannot be used); ID3_TEST_RELEASE names the file whose existence ends the held stages. A job whose name ends
 * in "-bad-input" fails its first stage with bad input (exit 65), as a worker given a broken dataset would.
 */
import { existsSync } from 'node:fs';
import pino from 'pino';
import type { Stage } from '../../api/index.ts';
import { PermanentInputError } from '../../api/index.ts';
import { runWorker, type StageRunner, type TaskContext } from '../../worker/runtime/index.ts';

const TICK_MS = 200;

function released(): boolean {
  const file = process.env.ID3_TEST_RELEASE;
  return file !== undefined && existsSync(file);
}

const tick = () => new Promise((r) => setTimeout(r, TICK_MS));

/** Sampling: images committed in batches of 4, 30–70 ms per image, one storage put failing after its retries. */
const generate: StageRunner = async (ctx) => {
  ctx.metrics.taskInfo.set({ backend: 'wasm' }, 1);
  const total = ctx.job.kind === 'SyntheticDatasetJob' ? ctx.job.spec.identities * ctx.job.spec.imagesPerIdentity : 0;
  const progress = ctx.progress('images', total);
  let done = 0;
  for (let i = 0; !released() && !ctx.signal.aborted; i++) {
    for (let k = 0; k < 4; k++) ctx.metrics.samplingSeconds.observe(0.03 + 0.01 * ((i + k) % 5));
    ctx.metrics.imagesGenerated.inc(4);
    if (i === 3) ctx.metrics.storageErrors.inc({ operation: 'put' });
    done = Math.min(total - 1, done + 4);
    await progress.update(done);
    await tick();
  }
  await progress.finish();
};

/** Training: one step per tick, the loss falling. */
const train: StageRunner = async (ctx) => {
  ctx.metrics.taskInfo.set({ backend: 'wasm' }, 1);
  const steps = ctx.job.kind === 'ID3TrainingJob' ? (ctx.job.spec.training.steps ?? 1000) : 0;
  const progress = ctx.progress('steps', steps);
  for (let step = 1; !released() && !ctx.signal.aborted && step < steps; step++) {
    const loss = 0.2 + 1 / step;
    ctx.metrics.trainingSteps.inc();
    ctx.metrics.trainingStepSeconds.observe(0.15 + 0.01 * (step % 3));
    ctx.metrics.trainingLoss.set(loss);
    await progress.update(step, { step, loss });
    await tick();
  }
  await progress.finish();
};

/** Stages the test does not hold: done at once, or bad input for a job meant to fail. */
const instant: StageRunner = async (ctx: TaskContext) => {
  if (ctx.job.metadata.name.endsWith('-bad-input')) throw new PermanentInputError('the dataset has no images');
  ctx.metrics.imagesEmbedded.inc(ctx.stage === 'prepare' ? 8 : 0);
};

const STAGES: Partial<Record<Stage, StageRunner>> = {
  plan: instant,
  generate,
  finalize: instant,
  prepare: instant,
  train,
  evaluate: instant,
};

const [command, stage = ''] = process.argv.slice(2);
if (command !== 'worker')
  throw new Error(`fake worker: expected "worker <stage>", got ${process.argv.slice(2).join(' ')}`);
const ports = JSON.parse(process.env.ID3_TEST_WORKER_PORTS ?? '{}') as Record<string, number>;
process.exitCode = await runWorker({
  stage,
  ...(ports[stage] !== undefined ? { metricsPort: ports[stage] } : {}),
  env: process.env,
  logger: pino({ level: 'warn' }),
  stages: STAGES,
  terminationLog: '/dev/null',
  exitNow: (code) => process.exit(code),
});
