import type { Command } from 'commander';
import { DATASET_STAGES, TRAINING_STAGES } from '../api/index.ts';

interface WorkerFlags {
  job?: string;
  shard?: string;
  metricsPort?: string;
  logLevel: string;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Run one worker task (what a stage pod runs). Exit codes: 0 done, 65 bad input (never retried), 75 stopped with state saved (retry), 1 failed.',
    )
    .argument('<stage>', `one of ${[...DATASET_STAGES, ...TRAINING_STAGES].join(', ')}`)
    .option('--job <file>', 'the job manifest (default: the ID3_JOB environment variable, as in a pod)')
    .option('--shard <index>', 'task index within the stage (default: $JOB_COMPLETION_INDEX, else 0)')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port while the task runs')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .action(async (stage: string, flags: WorkerFlags) => {
      const [{ runWorker }, { STAGE_RUNNERS }, { createLogger }] = await Promise.all([
        import('../worker/runtime/index.ts'),
        import('../worker/stages/index.ts'),
        import('./logger.ts'),
      ]);
      const logger = createLogger({ level: flags.logLevel, base: { component: 'worker' } });
      process.exitCode = await runWorker({
        stage,
        ...(flags.job ? { jobFile: flags.job } : {}),
        ...(flags.shard !== undefined ? { task: Number(flags.shard) } : {}),
        ...(flags.metricsPort !== undefined ? { metricsPort: Number(flags.metricsPort) } : {}),
        env: process.env,
        logger,
        stages: STAGE_RUNNERS,
        exitNow: (code) => process.exit(code),
        ...(process.env.ID3_TERMINATION_LOG ? { terminationLog: process.env.ID3_TERMINATION_LOG } : {}),
      });
    });
}
