import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_RETRY } from './constants.ts';

/**
 * What an error means for the process that meets it, carried by the error itself (`kind`), so that the one mapping to
 * exit codes (exitCodeFor) needs to know no error class:
 *   badInput    the job, a file it names, a model it loads or the credentials are wrong: retrying cannot help → 65
 *   retryLater  stopped from outside (preemption, suspend, Ctrl-C) with state saved: retry without counting → 75
 *   restart     this process cannot go on but a new one may (storage down after retries, expired credentials) → 1
 * An error without a kind is a bug or an unknown failure: 1, retried within the backoff limit.
 */
export const ErrorKind = { BadInput: 'badInput', RetryLater: 'retryLater', Restart: 'restart' } as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

const KINDS = new Set<string>(Object.values(ErrorKind));

/** The kind an error declares, looking through `cause` chains of wrappers that declare none. */
export function errorKind(err: unknown): ErrorKind | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const kind = (e as { kind?: unknown }).kind;
    if (typeof kind === 'string' && KINDS.has(kind)) return kind as ErrorKind;
  }
  return undefined;
}

export function exitCodeFor(err: unknown): number {
  const kind = errorKind(err);
  if (kind === ErrorKind.BadInput) return EXIT_BAD_INPUT;
  if (kind === ErrorKind.RetryLater) return EXIT_RETRY;
  return EXIT_FAILURE;
}

/** One line for a person (the CLI, a pod's termination message): the message and its direct cause's. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
  return String(err);
}

/** The input is wrong (a job, a file it names, a model it loads); retrying cannot help. Subclass it to say which. */
export class PermanentInputError extends Error {
  override name = 'PermanentInputError';
  readonly kind: ErrorKind = ErrorKind.BadInput;
}
