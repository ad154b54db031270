import { describeError, EXIT_FAILURE, exitCodeFor, formatFieldError, ValidationError } from '../api/index.ts';
import { paint } from './terminal.ts';

/**
 * The command line's one edge for errors: whatever a command throws becomes one line for the person (a validation
 * error: one line per field; our own errors that list things keep their list) and the exit code of the contract (api/errors.ts: 65 bad input, 75 stopped with state
 * saved, 1 anything else). A stack trace only with ID3_LOG_LEVEL=debug.
 */
export function reportFailure(err: unknown, env: NodeJS.ProcessEnv = process.env): number {
  const code = exitCodeFor(err);
  const write = (line: string) => process.stderr.write(`${line}\n`);
  if (err instanceof ValidationError) {
    write(`${paint.red('error')}: ${err.objectRef} is invalid; nothing was run or written:`);
    for (const e of err.errors) write(`  ${e.line ? `line ${e.line}: ` : ''}${formatFieldError(e)}`);
  } else
    write(
      `${paint.red('error')}: ${code === EXIT_FAILURE ? oneLine(describeError(err)) : bounded(describeError(err))}`,
    );
  if (env.ID3_LOG_LEVEL === 'debug' && err instanceof Error && err.stack) write(err.stack);
  else if (code === EXIT_FAILURE) write(paint.dim('(set ID3_LOG_LEVEL=debug for the stack trace)'));
  return code;
}

/** Our own messages (errors that know their kind) may list things, one per line: keep them, within reason. */
function bounded(message: string, maxLines = 40): string {
  const lines = message.split('\n');
  return lines.length > maxLines
    ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n')
    : message;
}

/** Messages from libraries can be long and multi-line (minified sources, dumps): a person needs the first line. */
function oneLine(message: string, max = 400): string {
  const first = message.split('\n')[0]!.trim();
  return first.length > max ? `${first.slice(0, max)}…` : first;
}
