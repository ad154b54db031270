import { EXIT_BAD_INPUT, EXIT_RETRY, ValidationError } from '../../api/index.ts';
import { CheckpointError } from '../checkpoints/index.ts';
import { DatasetFormatError } from '../dataset/index.ts';
import { EncoderLoadError } from '../encoder/loader.ts';
import { ModelConfigError, ModelFormatError } from '../model/index.ts';
import { AttributeSourceError } from '../planner/index.ts';
import { InvalidUriError, isPermanentStorageError } from '../storage/index.ts';
import { BackendUnavailableError } from '../tf/index.ts';

/**
 * The worker's error vocabulary and its one translation into exit codes (the contract with the runners): bad input
 * → 65, never retried; stopped from outside with state saved → 75, retried without counting; anything else → 1, a
 * counted failure retried up to backoffLimitPerTask.
 */

/** The job, a file it names, or a model it loads is wrong; retrying cannot help. */
export class PermanentInputError extends Error {
  override name = 'PermanentInputError';
}

/** The task stopped because it was asked to (SIGTERM: preemption, suspend, Ctrl-C) after saving its state. */
export class PreemptedError extends Error {
  override name = 'PreemptedError';
  constructor(
    message = 'stopped on request; finished work is saved',
    /** Records the stop where the next attempt will see it (the task's progress report). */
    private readonly record: () => Promise<void> | undefined = () => undefined,
  ) {
    super(message);
  }

  async saved(): Promise<void> {
    await this.record();
  }
}

/** Errors that mean the input (job, dataset, checkpoint, encoder, requested backend) is wrong. */
const BAD_INPUT: (abstract new (...args: never[]) => Error)[] = [
  PermanentInputError,
  ValidationError,
  InvalidUriError,
  DatasetFormatError,
  CheckpointError,
  EncoderLoadError,
  ModelFormatError,
  ModelConfigError,
  AttributeSourceError,
  BackendUnavailableError,
];

export function exitCodeFor(err: unknown): number {
  if (err instanceof PreemptedError) return EXIT_RETRY;
  if (BAD_INPUT.some((cls) => err instanceof cls)) return EXIT_BAD_INPUT;
  // A storage error that neither retrying nor a new process can fix (no such bucket, access denied) is a wrong URI or
  // wrong credentials.
  if (isPermanentStorageError(err)) return EXIT_BAD_INPUT;
  return 1;
}

/** One line for a person (and for the pod's termination message). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
  return String(err);
}
