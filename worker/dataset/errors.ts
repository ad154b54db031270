import { PermanentInputError } from '../../api/index.ts';
/**
 * A dataset file that cannot be what it claims (a bad .npy header, a broken tar, an invalid JSONL line, a manifest
 * that does not match its shards). The input is wrong: retrying cannot help (the worker exits 65, EX_DATAERR).
 */
export class DatasetFormatError extends PermanentInputError {
  override name = 'DatasetFormatError';
  /** The object or file the problem is in. */
  readonly where: string;

  constructor(where: string, message: string, cause?: unknown) {
    super(`${where}: ${message}`, cause === undefined ? undefined : { cause });
    this.where = where;
  }
}
