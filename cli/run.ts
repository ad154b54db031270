import type { Command } from 'commander';
import { positiveInteger } from './options.ts';

interface RunFlags {
  out?: string;
  parallelism?: number;
  logDir?: string;
  progress: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run jobs on this machine, through the same stages and worker code the operator schedules on a cluster. Ctrl-C stops cleanly; the same command resumes.',
    )
    .argument('<files...>', 'job manifests (training jobs run before the dataset jobs that reference them)')
    .option('--out <dir>', 'write the output here instead of spec.output.uri (several jobs: DIR/<name>)')
    .option('-j, --parallelism <n>', 'most worker processes at once (default: the number of cores)', positiveInteger)
    .option('--log-dir <dir>', 'where worker logs go (default: .id3/logs)')
    .option('--no-progress', 'print progress lines instead of live bars')
    .action(async (files: string[], flags: RunFlags) => {
      const { runCommand } = await import('./run-command.ts');
      process.exitCode = await runCommand(files, flags);
    });
}
