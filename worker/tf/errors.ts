import { PermanentInputError } from '../../api/index.ts';
/** Errors of backend selection, kept apart so that callers can tell "no such backend here" from a bug. */

/** The named backend cannot run in this process (package missing, no GPU adapter, initialisation failed). */
export class BackendUnavailableError extends PermanentInputError {
  override readonly name = 'BackendUnavailableError';
  constructor(
    readonly backend: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`backend ${backend}: ${message}`, options);
  }
}
