import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_BAD_INPUT, formatFieldError, parseManifests, ValidationError } from '../api/index.ts';
import {
  createView,
  formatSeconds,
  type JobResult,
  type JobSource,
  PreflightError,
  planRun,
  preflight,
  RunPlanError,
  runLocal,
} from '../runner/index.ts';
import { createLogger } from './logger.ts';
import { paint } from './terminal.ts';

/** `id3 run`: reads the files, plans the run, runs it with a live view, and prints what came out. */
export async function runCommand(
  files: string[],
  flags: { out?: string; parallelism?: number; logDir?: string; progress: boolean },
): Promise<number> {
  const logger = createLogger({ base: { component: 'run' } });
  let runs: ReturnType<typeof planRun>;
  try {
    runs = planRun(files.flatMap(readSources), { ...(flags.out ? { out: resolve(flags.out) } : {}), join });
    await preflight(runs, process.env);
  } catch (err) {
    return reportPlanError(err);
  }
  const abort = new AbortController();
  const stop = () => {
    if (abort.signal.aborted) return;
    process.stderr.write(
      '\nstopping: workers finish the image in hand and save; run the same command again to resume\n',
    );
    abort.abort();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const view = createView(flags.progress && process.stderr.isTTY === true);
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'id3.js');
  const results = await runLocal(runs, {
    parallelism: flags.parallelism ?? availableParallelism(),
    bin,
    logDir: resolve(flags.logDir ?? join('.id3', 'logs')),
    env: process.env,
    logger,
    view,
    signal: abort.signal,
  });
  view.stop();
  process.off('SIGINT', stop).off('SIGTERM', stop);
  printSummary(results);
  if (results.every((r) => r.phase === 'Succeeded') && results.length === runs.length) return 0;
  if (results.some((r) => r.phase === 'Interrupted')) return 130;
  return results.some((r) => r.badInput) ? EXIT_BAD_INPUT : 1;
}

function readSources(file: string): JobSource[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new RunPlanError(`cannot read ${file}: no such file`);
  }
  return parseManifests(text).map((d) => {
    if (d.syntaxError) throw new RunPlanError(`${file}:${d.line}: YAML syntax error: ${d.syntaxError}`);
    return { object: d.object, dir: dirname(resolve(file)), file, line: d.line, positions: d.positions };
  });
}

function reportPlanError(err: unknown): number {
  if (err instanceof ValidationError) {
    process.stderr.write(`${paint.red('error')}: ${err.objectRef} is invalid; nothing was run or written:\n`);
    for (const e of err.errors) process.stderr.write(`  ${e.line ? `line ${e.line}: ` : ''}${formatFieldError(e)}\n`);
    return EXIT_BAD_INPUT;
  }
  if (err instanceof RunPlanError || err instanceof PreflightError) {
    process.stderr.write(`${paint.red('error')}: ${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
  throw err;
}

function printSummary(results: JobResult[]): void {
  for (const r of results) {
    const name = `${r.job.kind}/${r.job.metadata.name}`;
    const colour = r.phase === 'Succeeded' ? paint.green : r.phase === 'Interrupted' ? paint.yellow : paint.red;
    process.stdout.write(`\n${paint.bold(name)}: ${colour(r.phase)} in ${formatSeconds(r.seconds)}\n`);
    // One column for every label: stage names and the outputs' keys (checkpointURI is the longest).
    const outputs = Object.entries(r.outputs ?? {});
    const width = Math.max(9, ...outputs.map(([k]) => k.length));
    for (const s of r.stages) {
      const skipped = s.skipped ? ` (${s.skipped} task${s.skipped === 1 ? '' : 's'} already done)` : '';
      process.stdout.write(`  ${s.stage.padEnd(width)} ${formatSeconds(s.seconds).padStart(5)}${skipped}\n`);
    }
    process.stdout.write(`  ${'output'.padEnd(width)} ${r.job.spec.output.uri}\n`);
    for (const [k, v] of outputs) {
      if (typeof v === 'string') process.stdout.write(`  ${k.padEnd(width)} ${v}\n`);
      else if (v && typeof v === 'object')
        process.stdout.write(`  ${k.padEnd(width)} ${formatNumbers(v as Record<string, unknown>)}\n`);
    }
    for (const w of r.warnings ?? []) {
      const more = w.count > 1 ? ` (and ${w.count - 1} more)` : '';
      process.stdout.write(`  ${paint.yellow('warning')}: ${w.first}${more}\n    log: ${w.logFile}\n`);
    }
    if (r.failure) process.stdout.write(`  ${paint.red('failed')}: ${r.failure}\n  log: ${r.logFile}\n`);
    if (r.phase === 'Interrupted') process.stdout.write('  run the same command again to resume where it stopped\n');
  }
}

function formatNumbers(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}=${(v as number).toFixed(3)}`)
    .join(' ');
}
