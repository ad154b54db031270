import { PermanentInputError } from '../../../api/index.ts';

/**
 * The benchmark folder's error vocabulary: a file that is not what its format says (a pickle we refuse or cannot
 * read, a malformed pairs line, an image that does not decode) and protocol input that does not fit together. Both are bad input (exit 65).
 */

/** A benchmark file is malformed or holds something this reader refuses; `where` names the file and line or byte. */
export class BenchmarkFormatError extends PermanentInputError {
  override readonly name = 'BenchmarkFormatError';
  constructor(
    message: string,
    /** Byte offset (pickles) or 1-based line (pairs files) the message refers to, when there is one. */
    readonly at?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Embeddings, labels or protocol options that do not fit together (wrong lengths, empty classes in a fold...). */
export class ProtocolInputError extends PermanentInputError {
  override readonly name = 'ProtocolInputError';
}
