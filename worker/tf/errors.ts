import { ErrorKind } from '../../api/index.ts';

/**
 * Errors of backend selection, kept apart so that callers can tell "no such backend here" from a bug. A backend that
 * cannot start is the node's or the image's trouble (no GPU visible, driver or CUDA libraries missing), not the job's:
 * a counted failure (exit 1) that a pod on another node may get past — never a quiet run on another device.
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  readonly kind = ErrorKind.Restart;
  constructor(
    readonly backend: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`backend ${backend}: ${message}`, options);
  }
}
