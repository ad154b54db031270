/**
 * The `id3` command line. Entry files here only parse arguments and call library functions; each subcommand lives in
 * its own module and registers itself on the program.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { reportFailure } from './errors.ts';
import { registerExport } from './export.ts';
import { registerFixtures } from './fixtures.ts';
import { registerOperator } from './operator.ts';
import { registerReport } from './report.ts';
import { registerRun } from './run.ts';
import { registerValidate } from './validate.ts';
import { registerWorker } from './worker.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('id3')
  .version(version)
  .description(
    'Train ID³ face diffusion models and generate synthetic face-recognition datasets, locally or on Kubernetes.',
  )
  .showHelpAfterError('(run with --help for usage)');

registerValidate(program);
registerOperator(program);
registerRun(program);
registerReport(program);
registerWorker(program);
registerFixtures(program);
registerExport(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportFailure(err);
}
