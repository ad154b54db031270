import { ErrorKind } from '../../api/index.ts';

/**
 * Named storage errors. Every one keeps the underlying error as `cause` (already scrubbed of credentials, see
 * redact.ts) and says whether retrying can help, which its `kind` (api/errors.ts) carries to the exit codes: an error
 * that is neither `retryable` nor `restartable` is a wrong URI or wrong credentials (65, bad input); the others are
 * failures (1) that the Job retries within its backoff limit — after the call's own retries ran out, for `retryable`
 * ones.
 */
export class StorageError extends Error {
  override name = 'StorageError';
  /** Wrong URI or credentials when nothing can help; else a failure a new attempt may get past. */
  get kind(): ErrorKind {
    return this.retryable || this.restartable ? ErrorKind.Restart : ErrorKind.BadInput;
  }
  /** The full URI of the object or prefix the operation was about. */
  readonly uri: string;
  /** True when the same call may succeed later (network, throttling, 5xx after the retry budget ran out). */
  readonly retryable: boolean;
  /**
   * True when this process cannot succeed but a new one may: expired temporary credentials (a new pod reads the
   * refreshed Secret) or a skewed clock. Not the input's fault.
   */
  readonly restartable: boolean;

  constructor(message: string, opts: { uri: string; retryable?: boolean; restartable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.uri = opts.uri;
    this.retryable = opts.retryable ?? false;
    this.restartable = opts.restartable ?? false;
  }
}

/**
 * A storage error that neither retrying nor a new process can fix — a wrong URI, wrong or read-only credentials, a
 * read-only folder: the input's fault (workers exit 65 on it).
 */
export function isPermanentStorageError(err: unknown): err is StorageError {
  return err instanceof StorageError && !err.retryable && !err.restartable;
}

/** The object does not exist. */
export class ObjectNotFoundError extends StorageError {
  override name = 'ObjectNotFoundError';
  constructor(uri: string, cause?: unknown) {
    super(`no such object: ${uri}`, { uri, cause });
  }
}

/** A conditional write lost: the object already exists (create-if-absent). */
export class PreconditionFailedError extends StorageError {
  override name = 'PreconditionFailedError';
  constructor(uri: string, cause?: unknown) {
    super(`object already exists: ${uri}`, { uri, cause });
  }
}

/** A URI or key that no backend accepts; a mistake in the input, never worth retrying. */
export class InvalidUriError extends StorageError {
  override name = 'InvalidUriError';
  constructor(uri: string, reason: string) {
    super(`invalid storage URI or key ${JSON.stringify(uri)}: ${reason}`, { uri });
  }
}
