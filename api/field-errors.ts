/**
 * Field errors in the Kubernetes API server's shape (k8s.io/apimachinery/pkg/util/validation/field), so that
 * `id3 validate`, the API emulator's 422 answers and the real API server say the same thing about the same mistake.
 */

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTypeInvalid'
  | 'FieldValueUnknown';

export interface FieldError {
  /** Dotted path with [i] for list items, as the API server prints it: spec.sampler.steps, spec.ranges[0].min. */
  field: string;
  type: FieldErrorType;
  /** The offending value as the API server prints it (omitted for Required and Unknown). */
  badValue?: unknown;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueUnknown: 'Unknown field',
};

/** Values print as the API server prints them: strings quoted, numbers and booleans bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

/** The message without the field, as in a Status cause: `Invalid value: 0: must be at least 1`. */
export function causeMessage(e: FieldError): string {
  const head = TYPE_TEXT[e.type];
  const hasValue = e.badValue !== undefined && e.type !== 'FieldValueRequired' && e.type !== 'FieldValueUnknown';
  const parts = [head];
  if (hasValue) parts.push(formatValue(e.badValue));
  if (e.detail) parts.push(e.detail);
  return parts.join(': ');
}

/** `spec.sampler.steps: Invalid value: 0: ...` */
export function formatFieldError(e: FieldError): string {
  return `${e.field || '<root>'}: ${causeMessage(e)}`;
}

/** An object that failed validation, with every field error found. */
export class ValidationError extends Error {
  readonly errors: readonly FieldError[];
  readonly objectRef: string;
  constructor(objectRef: string, errors: readonly FieldError[], options?: { cause?: unknown }) {
    super(`${objectRef} is invalid: ${errors.map(formatFieldError).join('; ')}`, options);
    this.name = 'ValidationError';
    this.objectRef = objectRef;
    this.errors = errors;
  }
}

/** Joins path segments the way the API server prints field paths. */
export function joinPath(parent: string, segment: string | number): string {
  if (typeof segment === 'number') return `${parent}[${segment}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) return `${parent}[${JSON.stringify(segment)}]`;
  return parent ? `${parent}.${segment}` : segment;
}
