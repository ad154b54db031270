import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, parseManifests } from '../api/index.ts';
import {
  createView,
  formatSeconds,
  type JobResult,
  type JobSource,
  planRun,
  preflight,
  RunPlanError,
  runLocal,
} from '../runner/index.ts';
import { createLogger } from './logger.ts';
import { paint } from './terminal.ts';

/** What a shell reports for a command stopped by Ctrl-C (128 + SIGINT): `id3 run` stopped cleanly, resumable. */
const EXIT_INTERRUPTED = 130;

/** `id3 run`: reads the files, plans the run, runs it with a live view, and prints what came out. */
export async function runCommand(
  files: string[],
  flags: { out?: string; parallelism?: number; logDir?: string; progress: boolean },
): Promise<number> {
  const logger = createLogger({ base: { component: 'run' } });
  // A job that cannot run (invalid, unreadable, inputs missing) throws bad input: the CLI's edge says why.
  const runs = planRun(files.flatMap(readSources), { ...(flags.out ? { out: resolve(flags.out) } : {}), join });
  await preflight(runs, process.env);
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
  if (results.every((r) => r.phase === 'Succeeded') && results.length === runs.length) return EXIT_OK;
  if (results.some((r) => r.phase === 'Interrupted')) return EXIT_INTERRUPTED;
  return results.some((r) => r.badInput) ? EXIT_BAD_INPUT : EXIT_FAILURE;
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

function printSummary(results: JobResult[]): void {
  for (const r of results) process.stdout.write(summaryOf(r).join('\n').concat('\n'));
}

/** A job's summary: phase and time, each stage, the outputs, warnings and what went wrong. */
function summaryOf(r: JobResult): string[] {
  const name = `${r.job.kind}/${r.job.metadata.name}`;
  const colour = r.phase === 'Succeeded' ? paint.green : r.phase === 'Interrupted' ? paint.yellow : paint.red;
  // One column for every label: stage names and the outputs' keys (checkpointURI is the longest).
  const outputs = Object.entries(r.outputs ?? {});
  const width = Math.max(9, ...outputs.map(([k]) => k.length));
  const lines = [`\n${paint.bold(name)}: ${colour(r.phase)} in ${formatSeconds(r.seconds)}`];
  for (const s of r.stages) {
    const skipped = s.skipped ? ` (${s.skipped} task${s.skipped === 1 ? '' : 's'} already done)` : '';
    lines.push(`  ${s.stage.padEnd(width)} ${formatSeconds(s.seconds).padStart(5)}${skipped}`);
  }
  lines.push(`  ${'output'.padEnd(width)} ${r.job.spec.output.uri}`);
  for (const [k, v] of outputs) {
    const text =
      typeof v === 'string' ? v : v && typeof v === 'object' ? formatNumbers(v as Record<string, unknown>) : '';
    if (text !== '' || typeof v === 'string') lines.push(`  ${k.padEnd(width)} ${text}`);
  }
  return [...lines, ...problemsOf(r)];
}

function problemsOf(r: JobResult): string[] {
  const lines = (r.warnings ?? []).map((w) => {
    const more = w.count > 1 ? ` (and ${w.count - 1} more)` : '';
    return `  ${paint.yellow('warning')}: ${w.first}${more}\n    log: ${w.logFile}`;
  });
  if (r.failure) lines.push(`  ${paint.red('failed')}: ${r.failure}\n  log: ${r.logFile}`);
  if (r.phase === 'Interrupted') lines.push('  run the same command again to resume where it stopped');
  return lines;
}

function formatNumbers(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k}=${(v as number).toFixed(3)}`)
    .join(' ');
}
