import { describeError, EXIT_FAILURE, exitCodeFor, formatFieldError, ValidationError } from '../api/index.ts';
import { paint } from './terminal.ts';

/**
 * The command line's one edge for errors: whatever a command throws becomes one line for the person (a validation
 * error: one line per field) and the exit code of the contract (api/errors.ts: 65 bad input, 75 stopped with state
 * saved, 1 anything else). A stack trace only with ID3_LOG_LEVEL=debug.
 */
export function reportFailure(err: unknown, env: NodeJS.ProcessEnv = process.env): number {
  const code = exitCodeFor(err);
  const write = (line: string) => process.stderr.write(`${line}\n`);
  if (err instanceof ValidationError) {
    write(`${paint.red('error')}: ${err.objectRef} is invalid; nothing was run or written:`);
    for (const e of err.errors) write(`  ${e.line ? `line ${e.line}: ` : ''}${formatFieldError(e)}`);
  } else write(`${paint.red('error')}: ${oneLine(describeError(err))}`);
  if (env.ID3_LOG_LEVEL === 'debug' && err instanceof Error && err.stack) write(err.stack);
  else if (code === EXIT_FAILURE) write(paint.dim('(set ID3_LOG_LEVEL=debug for the stack trace)'));
  return code;
}

/** Messages from libraries can be long and multi-line (minified sources, dumps): a person needs the first line. */
function oneLine(message: string, max = 400): string {
  const first = message.split('\n')[0]!.trim();
  return first.length > max ? `${first.slice(0, max)}…` : first;
}
