import { PermanentInputError } from '../../../api/index.ts';

/**
 * Why an ONNX file cannot be used: it is not a readable ONNX model, or it uses what this importer does not cover.
 * All are bad input (exit 65): another try with the same file fails the same way.
 */

/** The bytes are not an ONNX ModelProto (truncated, corrupt, or another format). */
export class OnnxFormatError extends PermanentInputError {
  override readonly name = 'OnnxFormatError';
}

/**
 * The model is valid ONNX but needs something the importer does not do. `problems` lists every one found (each names
 * the node or initializer), so one load reports all of them rather than the first.
 */
export class OnnxUnsupportedError extends PermanentInputError {
  override readonly name = 'OnnxUnsupportedError';
  constructor(
    readonly problems: readonly string[],
    hint = '',
    options?: ErrorOptions,
  ) {
    super(
      `the ONNX model uses ${problems.length} thing${problems.length === 1 ? '' : 's'} this importer does not support:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        (hint ? `\n${hint}` : ''),
      options,
    );
  }
}

/** A node failed while running (a shape that does not fit, an input of the wrong size). */
export class OnnxRunError extends PermanentInputError {
  override readonly name = 'OnnxRunError';
}
