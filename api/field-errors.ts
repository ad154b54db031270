import { ErrorKind } from './errors.ts';
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
  /**
   * Where the field is written in the manifest the object was read from (1-based), when it was read from one: the
   * field's key (a list item: the item; a missing field: its nearest written ancestor). See locateFieldErrors.
   */
  line?: number;
  column?: number;
}

/** A 1-based line and column in a source file. */
export interface SourcePosition {
  line: number;
  column: number;
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
  readonly kind = ErrorKind.BadInput;
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

/**
 * The segments of a field path, the inverse of joinPath: `spec.ranges[0].min` → spec, ranges, 0, min. Also reads the
 * `['key']` form of CEL fieldPaths. Stops at the first part it cannot read, so the result is the longest readable
 * prefix.
 */
export function splitPath(path: string): (string | number)[] {
  const segment = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\['([^']*)'\]/y;
  const segments: (string | number)[] = [];
  for (let m = segment.exec(path); m; m = segment.exec(path)) {
    const [, name, index, json, quoted] = m;
    if (name !== undefined) segments.push(name);
    else if (index !== undefined) segments.push(Number(index));
    else if (json !== undefined) segments.push(JSON.parse(json) as string);
    else segments.push(quoted ?? '');
  }
  return segments;
}

/**
 * The errors with the source position of the field each names, from `positions` (field path → position of the
 * field's key, '' the document's start; see parseManifests). A field that is not written — a missing required field,
 * a defaulted one — gets the position of its nearest written ancestor, so a missing field points at its parent.
 */
export function locateFieldErrors(
  errors: readonly FieldError[],
  positions: ReadonlyMap<string, SourcePosition>,
): FieldError[] {
  return errors.map((e) => {
    let at = positions.get('');
    let path = '';
    for (const segment of splitPath(e.field)) {
      path = joinPath(path, segment);
      const p = positions.get(path);
      if (!p) break;
      at = p;
    }
    return at ? { ...e, line: at.line, column: at.column } : { ...e };
  });
}
