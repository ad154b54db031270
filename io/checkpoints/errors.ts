import { PermanentInputError } from '../../api/index.ts';
/** A checkpoint that is missing, torn or corrupt (a file's checksum differs from its marker). Not worth retrying. */
export class CheckpointError extends PermanentInputError {
  override name = 'CheckpointError';
  readonly uri: string;

  constructor(uri: string, message: string, cause?: unknown) {
    super(`${uri}: ${message}`, cause === undefined ? undefined : { cause });
    this.uri = uri;
  }
}
